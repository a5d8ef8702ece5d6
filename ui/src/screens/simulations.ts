// The simulations screen (F12): the list, a run step by step, the result. See docs/indicators.md.
import "./sims.css";
import { api, isAppError, type AttemptResult, type Cell, type DataTable, type SimulationResult, type SimulationRun, type Text } from "../ipc";
import { getLocale, pct, t, tr } from "../i18n";
import { clear, h } from "../dom";
import { go, state, view } from "../app";
import { feedbackView, itemForm, submitAnswer } from "../practice";

/** Runs started in this window, by id: there is no command to reopen a run, so the run screen
 * shows what `start_simulation` returned, kept up to date as steps are answered. */
const runs = new Map<number, SimulationRun>();
/** Hints already shown, by run then step (so a re-render, e.g. a language switch, keeps them). */
const hints = new Map<number, Map<string, Text>>();
/** Results of finished runs, by run id. */
const results = new Map<number, SimulationResult>();
/** Set just after finishing, so the re-render moves focus to the result heading once. */
let focusResultOf: number | null = null;

const errorText = (e: unknown): string => (isAppError(e) ? e.message : String(e));

/** Minutes as a short number: one decimal under 10, whole minutes above. */
function minutesText(m: number): string {
  return m < 10 ? String(Math.round(m * 10) / 10) : String(Math.round(m));
}

async function startRun(simId: string, button: HTMLButtonElement, out: HTMLElement): Promise<void> {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = t("simStarting");
  try {
    const run = await api.startSimulation(state.learner!.id, simId);
    runs.set(run.run_id, run);
    await go({ name: "simulation", runId: run.run_id });
  } catch (e) {
    button.disabled = false;
    button.textContent = label;
    out.textContent = errorText(e);
  }
}

/** An open (unfinished) run of this simulation started in this window, if any. */
function openRunOf(simId: string): SimulationRun | undefined {
  let found: SimulationRun | undefined;
  for (const r of runs.values()) {
    if (r.sim_id === simId && !r.finished && (!found || r.run_id > found.run_id)) found = r;
  }
  return found;
}

export async function renderSimulations(): Promise<void> {
  const sims = await api.simulations(state.learner!.id);
  clear(view);
  const section = h("section", { class: "card", id: "simulations" },
    h("h1", { id: "simulations-title", tabindex: -1 }, t("simsTitle")),
    h("p", { class: "muted", id: "simulations-scoring" }, t("simsLead")));
  if (!sims.length) {
    section.append(h("p", { id: "no-simulations" }, t("simsEmpty")));
    view.append(section);
    return;
  }
  const list = h("ul", { class: "sim-list", id: "simulation-list" });
  for (const s of sims) {
    const title = tr(s.title);
    const out = h("p", { class: "form-error", role: "alert" });
    const start = h("button", { type: "button", class: "start-simulation primary", "aria-label": t("simStartLabel", { title }) }, t("simStart"));
    start.addEventListener("click", () => void startRun(s.id, start, out));
    const open = openRunOf(s.id);
    const cont = open
      ? h("button", { type: "button", class: "continue-simulation", "aria-label": t("simContinueLabel", { title }),
          onclick: () => void go({ name: "simulation", runId: open.run_id }) }, t("simContinue"))
      : null;
    list.append(h("li", { class: "sim-item", "data-sim": s.id },
      h("h2", { class: "sim-item-title" }, title),
      h("p", { class: "sim-meta" },
        h("span", {}, t("simFluentShort", { n: s.minutes })), " · ",
        h("span", {}, t("simStepCount", { n: s.steps }))),
      h("p", { class: "sim-record" },
        h("span", { class: "sim-runs" }, t("simRuns", { n: s.runs })), " · ",
        h("span", { class: "sim-best" }, s.best_score === null ? t("simNotTried") : t("simBest", { p: pct(s.best_score) }))),
      h("div", { class: "sim-actions" }, start, cont),
      out));
  }
  section.append(list);
  view.append(section);
}

function cellText(c: Cell): string {
  return typeof c === "string" ? c : tr(c);
}

function dataTable(d: DataTable): HTMLElement {
  const caption = tr(d.caption);
  const table = h("table", { class: "sim-table", "data-table": d.id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...d.columns.map((c) => h("th", { scope: "col" }, tr(c))))),
    h("tbody", {}, ...d.rows.map((row) => h("tr", {}, ...row.map((c) => h("td", {}, cellText(c)))))));
  // Wide tables scroll sideways; the wrapper is focusable so the keyboard can scroll it too.
  return h("div", { class: "sim-table-wrap", role: "region", tabindex: 0, "aria-label": t("simTableRegion", { caption }) }, table);
}

export async function renderSimulationRun(runId: number): Promise<void> {
  // Not in memory (e.g. after a restart): ask the app, which keeps every run.
  if (!runs.has(runId)) {
    try {
      runs.set(runId, await api.simulationRun(state.learner!.id, runId));
    } catch {
      // shown below as a run that is no longer open
    }
  }
  const run = runs.get(runId);
  clear(view);
  const back = h("button", { type: "button", id: "sim-back-to-list", onclick: () => void go({ name: "simulations" }) }, "← " + t("simBackToList"));
  if (!run) {
    view.append(h("section", { class: "card", id: "sim-run-missing", role: "status" },
      h("h1", {}, t("simMissingTitle")),
      h("p", {}, t("simMissing")),
      h("button", { type: "button", class: "primary", id: "back-to-simulations", onclick: () => void go({ name: "simulations" }) }, t("simBack"))));
    return;
  }
  const learnerId = state.learner!.id;
  const result = results.get(runId) ?? null;
  const shownHints = hints.get(runId) ?? new Map<string, Text>();
  hints.set(runId, shownHints);
  const answeredOf = (step: string): AttemptResult | undefined => run.answered.find((a) => a.item_id === step);
  const n = run.steps.length;

  // Finishing: a second click is asked for when steps are still unanswered.
  const finishNote = h("p", { class: "sim-finish-note", id: "finish-confirm", "aria-live": "polite" });
  const finishBtn = h("button", { type: "button", class: "primary", id: "finish-simulation" }, t("simFinish"));
  let armed = false;
  const disarm = (): void => {
    armed = false;
    finishNote.textContent = "";
    finishBtn.textContent = t("simFinish");
  };
  finishBtn.addEventListener("click", () => void (async () => {
    const left = run.steps.filter((s) => !answeredOf(s.item.id)).length;
    if (left > 0 && !armed) {
      armed = true;
      finishNote.textContent = left === 1 ? t("simFinishConfirmOne") : t("simFinishConfirm", { n: left });
      finishBtn.textContent = t("simFinishAnyway");
      return;
    }
    finishBtn.disabled = true;
    finishBtn.textContent = t("simFinishing");
    try {
      const r = await api.finishSimulation(learnerId, runId);
      results.set(runId, r);
      run.finished = true;
      focusResultOf = runId;
      await renderSimulationRun(runId);
    } catch (e) {
      finishBtn.disabled = false;
      finishBtn.textContent = t("simFinish");
      armed = false;
      finishNote.textContent = errorText(e);
    }
  })());

  const steps = h("ol", { id: "sim-steps", class: "sim-steps" });
  run.steps.forEach((step, i) => {
    const k = i + 1;
    const id = step.item.id;
    const titleId = `sim-step-title-${k}`;
    const li = h("li", { class: "sim-step", "data-step": id },
      h("h3", { id: titleId, class: "sim-step-title" }, t("simStepOf", { k, n })));

    if (step.has_hint) {
      const hintBox = h("div", { class: "sim-hint", "aria-live": "polite" });
      const noteId = `sim-hint-note-${k}`;
      const note = h("p", { class: "muted sim-hint-note", id: noteId }, run.finished ? t("simHintFree") : t("simHintCost"));
      const used = run.hints_used.includes(id);
      const cached = shownHints.get(id);
      const hintBtn = h("button", { type: "button", class: "show-hint", "aria-describedby": noteId }, t("simShowHint"));
      const showText = (text: Text): void => {
        hintBox.replaceChildren(h("p", { class: "hint-text" }, t("simHintText", { text: tr(text) })));
      };
      if (cached) {
        showText(cached);
        hintBtn.textContent = "✓ " + t("simHintUsed");
        hintBtn.disabled = true;
        hintBtn.classList.add("used");
      } else if (used) {
        hintBtn.textContent = t("simHintAgain");
        hintBtn.classList.add("used");
      } else {
        hintBtn.setAttribute("aria-label", t("simShowHintLabel", { k }));
      }
      hintBtn.addEventListener("click", () => void (async () => {
        hintBtn.disabled = true;
        try {
          const text = await api.simulationHint(learnerId, runId, id);
          shownHints.set(id, text);
          if (!run.finished && !run.hints_used.includes(id)) run.hints_used.push(id);
          showText(text);
          hintBtn.removeAttribute("aria-label");
          hintBtn.textContent = "✓ " + t("simHintUsed");
          hintBtn.classList.add("used");
        } catch (e) {
          hintBtn.disabled = false;
          hintBox.replaceChildren(h("p", { class: "form-error", role: "alert" }, errorText(e)));
        }
      })());
      li.append(h("div", { class: "sim-hint-row" }, hintBtn, note), hintBox);
    }

    const done = answeredOf(id);
    if (done) {
      li.append(
        h("p", { class: "stem" }, tr(step.item.stem)),
        h("div", { class: "feedback", "data-for": id }, ...feedbackView(done)));
    } else if (run.finished) {
      li.append(
        h("p", { class: "stem" }, tr(step.item.stem)),
        h("p", { class: "sim-left-out" }, t("simLeftOutNote")));
    } else {
      const form = itemForm(step.item, (sub, progress) => submitAnswer(step.item, runId, sub, progress), (r) => {
        if (!answeredOf(id)) run.answered.push(r);
        // A step is answered once per run: the form stays as a record, the answer is locked.
        form.querySelector(".check-answer")?.remove();
        form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(".fields input, .fields textarea").forEach((el) => { el.disabled = true; });
        const fb = form.querySelector<HTMLElement>(".feedback");
        if (fb) {
          fb.tabIndex = -1;
          fb.focus();
        }
        if (armed) disarm();
      });
      li.append(form);
    }
    steps.append(li);
  });

  const runSection = h("section", { class: "card", id: "sim-run", "data-run": runId },
    h("h1", { id: "sim-title", tabindex: -1 }, tr(run.title)));
  const brief = h("div", { id: "sim-brief", class: "sim-brief", lang: getLocale() });
  brief.innerHTML = tr(run.brief_html); // sanitized in Rust (ammonia)
  runSection.append(h("h2", {}, t("simBriefTitle")), brief);
  if (run.tables.length) {
    runSection.append(h("h2", {}, t("simDataTitle")), ...run.tables.map(dataTable));
  }
  runSection.append(
    h("p", { class: "sim-fluent", id: "sim-fluent" }, t("simFluentLong", { n: run.minutes })),
    h("h2", {}, t("simStepsTitle")),
    steps);
  if (!run.finished) runSection.append(h("div", { class: "sim-finish" }, finishBtn, finishNote));

  view.append(back);
  if (result) view.append(resultView(run, result));
  view.append(runSection);

  if (result && focusResultOf === runId) {
    focusResultOf = null;
    document.getElementById("sim-result-title")?.focus();
  } else if (!result) {
    document.getElementById("sim-title")?.focus();
  }
}

function resultView(run: SimulationRun, r: SimulationResult): HTMLElement {
  const n = r.steps.length;
  const hintsUsed = r.steps.filter((s) => s.hint_used).length;
  const again = h("button", { type: "button", class: "primary", id: "try-again-simulation" }, t("simTryAgain"));
  const out = h("p", { class: "form-error", role: "alert" });
  again.addEventListener("click", () => void startRun(run.sim_id, again, out));
  const stepItems = r.steps.map((s, i) => {
    const k = i + 1;
    let mark: string;
    let cls: string;
    let score: string;
    if (s.score === null) {
      mark = "✗";
      cls = "left-out";
      score = t("simLeftOut");
    } else {
      mark = s.score >= 0.999 ? "✓" : s.score > 0 ? "◐" : "✗";
      cls = s.score >= 0.999 ? "full" : s.score > 0 ? "partial" : "zero";
      score = `${pct(s.score)}%`;
    }
    return h("li", { class: `sim-result-step ${cls}`, "data-step": s.step },
      h("span", { class: "sim-mark", "aria-hidden": "true" }, mark + " "),
      t("simStepLine", { k, kp: tr(s.kp_title), score }), " ",
      h("span", { class: s.hint_used ? "sim-hint-mark used" : "sim-hint-mark" }, s.hint_used ? t("simHintMark") : t("simNoHintMark")));
  });
  return h("section", { class: "card sim-result", id: "sim-result", role: "status", "aria-labelledby": "sim-result-title" },
    h("h2", { id: "sim-result-title", tabindex: -1 }, t("simResultTitle", { title: tr(r.title) })),
    h("dl", { class: "sim-scores" },
      h("div", { class: "sim-score-box" },
        h("dt", {}, t("simAccuracy")),
        h("dd", { id: "sim-accuracy", class: "sim-big" }, `${pct(r.accuracy)}%`),
        h("dd", { class: "muted" }, t("simAccuracyNote", { n }))),
      h("div", { class: "sim-score-box" },
        h("dt", {}, t("simEfficiency")),
        h("dd", { id: "sim-efficiency", class: "sim-big" }, `${pct(r.efficiency)}%`),
        h("dd", { class: "muted" }, t("simEfficiencyNote", { time: pct(r.time_factor), hint: pct(r.hint_factor) }))),
      h("div", { class: "sim-score-box total" },
        h("dt", {}, t("simScore")),
        h("dd", { id: "sim-score", class: "sim-big" }, `${pct(r.score)}%`),
        h("dd", { class: "muted" }, t("simScoreNote")))),
    h("p", { id: "sim-time" }, t("simTime", { m: minutesText(r.minutes), f: r.fluent_minutes })),
    h("p", { id: "sim-hints" }, hintsUsed ? t("simHintsUsed", { h: hintsUsed, n }) : t("simNoHints")),
    h("h3", {}, t("simStepsResult")),
    h("ol", { id: "sim-result-steps", class: "sim-result-steps" }, ...stepItems),
    h("h3", {}, t("simImproveTitle")),
    h("ul", { id: "sim-improve" }, ...(r.improve.length
      ? r.improve.map((s) => h("li", {}, tr(s)))
      : [h("li", {}, t("simImproveNone"))])),
    h("div", { class: "sim-actions" },
      h("button", { type: "button", id: "back-to-simulations", onclick: () => void go({ name: "simulations" }) }, t("simBack")),
      again),
    out);
}
