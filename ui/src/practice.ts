// Answering questions: the form for each item kind, immediate feedback (F14) and disputing a grade.
import { api, isAppError, type Answer, type AttemptResult, type Item, type Submission } from "./ipc";
import { getLocale, pct, t, tr } from "./i18n";
import { h } from "./dom";
import { errorText, state } from "./app";

/** A question with its answer form and immediate feedback. `submit` records the answer (a lesson
 * item or a simulation step); the time from showing the form to submitting is sent along. */
/** Submits an answer to a lesson item (`runId` null) or a simulation step: free text goes to the
 * on-device model when it is ready, its rubric points shown as they stream in; everything else
 * (and free text without a ready model) is graded at once. */
export function submitAnswer(item: Item, runId: number | null, sub: Submission, progress: (n: Node) => void): Promise<AttemptResult> {
  const learner = state.learner!.id;
  if (item.kind === "free_text" && state.tutor?.state === "ready") {
    const points = h("ol", { class: "streamed-points", "aria-live": "polite" });
    progress(h("div", { class: "streaming" }, h("p", { class: "muted", role: "status" }, t("modelGrading", { n: item.rubric_points })), points));
    return api.submitFreeText(learner, sub, runId, (p) => {
      const key = p.state === "met" ? "pointMet" : p.state === "contradicted" ? "pointContradicted" : "pointMissed";
      points.append(h("li", { "data-point": p.index, "data-state": p.state }, t(key, { n: p.index + 1, p: pct(p.p_met) })));
    });
  }
  return runId === null ? api.submitAnswer(learner, sub) : api.answerSimulationStep(learner, runId, sub);
}

export function itemForm(item: Item, submit: (s: Submission, progress: (n: Node) => void) => Promise<AttemptResult>, onResult?: (r: AttemptResult) => void): HTMLElement {
  let shownAt = performance.now();
  const feedback = h("div", { class: "feedback", "aria-live": "polite", "data-for": item.id });
  let input: () => { ok: true; answer: Answer } | { ok: false; msg: string };
  const fields = h("div", { class: "fields" });
  let pause: number | undefined; // a free-text warm-up waiting for typing to pause
  if (item.kind === "choice") {
    const name = `opt-${item.id}`;
    item.options.forEach((o, i) => {
      const id = `${name}-${i}`;
      fields.append(h("div", { class: "choice-option" },
        h("input", { type: "radio", name, id, value: i }),
        h("label", { for: id }, tr(o))));
    });
    input = () => {
      const checked = fields.querySelector<HTMLInputElement>("input:checked");
      return checked ? { ok: true, answer: { kind: "choice", option: Number(checked.value) } } : { ok: false, msg: t("pickOption") };
    };
  } else if (item.kind === "numeric") {
    const id = `num-${item.id}`;
    const box = h("input", { id, type: "text", inputmode: "decimal", class: "numeric-input", autocomplete: "off" });
    fields.append(h("label", { for: id }, t("numberIn", { unit: item.unit ?? "" })), box);
    input = () => {
      const v = Number(box.value.replace(/[,，\s]/g, ""));
      return box.value.trim() !== "" && Number.isFinite(v) ? { ok: true, answer: { kind: "numeric", value: v } } : { ok: false, msg: t("enterNumber") };
    };
  } else {
    const id = `text-${item.id}`;
    const area = h("textarea", { id, rows: 4, class: "free-text-input", maxlength: 4000 });
    fields.append(h("label", { for: id }, t("yourAnswer")), area);
    // While the learner writes, the model reads the question and reference answer (on focus) and
    // the answer so far (whenever typing pauses), so that after "Check" only the last words and
    // the rubric points are left to read (a warm prefix cache; docs/performance.md).
    const warm = () => {
      if (state.tutor?.state === "ready") api.warmFreeText(item.id, getLocale(), area.value).catch(() => undefined);
    };
    area.addEventListener("focus", warm, { once: true });
    area.addEventListener("input", () => {
      window.clearTimeout(pause);
      pause = window.setTimeout(warm, 1200);
    });
    input = () => area.value.trim() ? { ok: true, answer: { kind: "free_text", text: area.value } } : { ok: false, msg: t("enterText") };
  }
  // One key per shown form: a double click or a retry after a hiccup is recorded once.
  let key = crypto.randomUUID();
  const button = h("button", { type: "submit", class: "check-answer primary" }, t("check"));
  const form = h("form", { class: "item", "data-item": item.id, "data-kind": item.kind },
    h("p", { class: "stem" }, tr(item.stem)), fields, button, feedback);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    window.clearTimeout(pause);
    const got = input();
    if (!got.ok) {
      feedback.replaceChildren(h("p", { class: "hint" }, got.msg));
      return;
    }
    button.disabled = true;
    feedback.replaceChildren(h("p", { class: "muted", role: "status" }, t("checking")));
    void (async () => {
      try {
        const seconds = Math.min(86400, (performance.now() - shownAt) / 1000);
        const result = await submit({ item_id: item.id, answer: got.answer, idempotency_key: key, seconds }, (n) => feedback.replaceChildren(n));
        key = crypto.randomUUID();
        shownAt = performance.now();
        feedback.replaceChildren(...feedbackView(result));
        onResult?.(result);
      } catch (e) {
        feedback.replaceChildren(h("p", { class: "hint", role: "alert" }, errorText(e)));
      } finally {
        button.disabled = false;
      }
    })();
  });
  return form;
}

export function feedbackView(r: AttemptResult): Node[] {
  const out: Node[] = [];
  const verdict = r.rubric.length ? `${Math.round(r.score * 100)}%` : r.correct ? t("correct") : t("incorrect");
  out.push(h("p", { class: `verdict ${r.correct ? "ok" : "wrong"}` }, r.correct ? "✓ " : "✗ ", verdict));
  if (r.rubric.length) {
    // A lesson sentence that is the best match for several missed points is shown once, under
    // the first of them.
    const noted = new Set<string>();
    out.push(h("ul", { class: "rubric" }, ...r.rubric.map((p) => {
      const note = p.lesson && !noted.has(tr(p.lesson)) ? tr(p.lesson) : null;
      if (note) noted.add(note);
      const label = p.state === "met" ? t("rubricMet") : p.state === "contradicted" ? t("rubricContradicted") : t("rubricMissed");
      return h("li", { class: p.state === "met" ? "met" : p.state === "contradicted" ? "missed contradicted" : "missed", "data-state": p.state }, label + " — " + tr(p.text),
        ...(note ? [h("p", { class: "lesson-note" }, t("lessonNote", { text: note }))] : []));
    })));
    out.push(h("p", { class: "muted" }, t("referenceAnswer", { answer: tr(r.correct_answer) })));
    if (r.grader === "keyword") out.push(h("p", { class: "muted grader-note" }, t("keywordGrader")));
    if (r.grader === "model") out.push(h("p", { class: "muted grader-note" }, t("modelGrader", { model: state.tutor?.model ?? "" })));
    if (r.grader === "model_uncalibrated") out.push(h("p", { class: "muted grader-note" }, t("uncalibratedGrader", { model: state.tutor?.model ?? "" })));
    if (state.tutor?.state === "ready" && r.rubric.some((p) => !p.met)) out.push(explainBox(r));
    if (r.needs_review) out.push(h("p", { class: "hint" }, t("needsReview")));
  } else if (!r.correct) {
    out.push(h("p", {}, t("correctAnswer", { answer: tr(r.correct_answer) })));
    if (r.error_cause) out.push(h("p", { class: "cause" }, t("errorCause", { cause: tr(r.error_cause) })));
  }
  if (r.explanation) out.push(h("p", {}, t("explanation", { text: tr(r.explanation) })));
  out.push(h("p", { class: "muted" }, t("masteryChange", { before: pct(r.mastery_before), after: pct(r.mastery_after) })));
  out.push(h("p", { class: "muted saved" }, r.duplicate ? t("alreadySaved", { id: r.attempt_id }) : t("saved", { id: r.attempt_id })));
  if (!r.correct) out.push(disputeForm(r));
  return out;
}


/** "Dispute this grade": says why, sent to the authors with the attempt (F16). */
function disputeForm(r: AttemptResult): HTMLElement {
  const id = `dispute-${r.attempt_id}`;
  const box = h("textarea", { id, rows: 2, maxlength: 2000, class: "dispute-text" });
  const out = h("p", { class: "muted", "aria-live": "polite" });
  const send = h("button", { type: "button", class: "send-dispute", onclick: () => void (async () => {
    if (!box.value.trim()) { out.textContent = t("disputeWhy"); return; }
    try {
      const f = await api.sendFeedback(state.learner!.id, { kind: "dispute", attempt_id: r.attempt_id, comment: box.value });
      out.textContent = f.new ? t("disputeSent") : t("disputeAlready");
      send.disabled = true;
    } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
  })() }, t("disputeSend"));
  return h("details", { class: "dispute" }, h("summary", {}, t("disputeGrade")),
    h("label", { for: id }, t("disputeWhy")), box, send, out);
}

/** "Explain what is missing": a few sentences the on-device model writes from this item, the
 * missed rubric points and the lesson only, streamed as it writes and labelled as generated. The
 * backend checks the finished text (language, numbers, praise, copying, unsupported claims); one
 * that fails is taken back and the reason shown — the lesson's own sentence on each missed point
 * stays in the rubric list above either way. */
function explainBox(r: AttemptResult): HTMLElement {
  const text = h("p", { class: "generated", "aria-live": "polite" });
  const note = h("p", { class: "muted" });
  const button = h("button", { type: "button", class: "explain-answer", onclick: () => void (async () => {
    button.disabled = true;
    note.textContent = t("explainWorking");
    text.textContent = "";
    text.hidden = false;
    try {
      const ex = await api.explainAnswer(state.learner!.id, r.attempt_id, (piece) => { text.textContent += piece; });
      text.textContent = ex.text ?? "";
      text.hidden = ex.text === null;
      note.textContent = ex.withheld
        ? t("explainWithheld", { reason: t(`withheld_${ex.withheld}` as const) })
        : t("explainLabel");
      note.dataset.withheld = ex.withheld ?? "";
    } catch (e) {
      note.textContent = isAppError(e) ? e.message : String(e);
      button.disabled = false;
    }
  })() }, t("explainButton"));
  return h("div", { class: "explain" }, button, text, note);
}
