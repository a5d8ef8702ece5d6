// The learner's own words (issue #15): the "ask" box on every lesson and on the dashboard, the
// notes beside a lesson, and the "My notes" screen. Passages and notes are plain text or HTML
// sanitized in Rust; nothing here uses innerHTML on text the learner or the pack wrote.
import { api, isAppError, type AskResult, type Note, type Passage } from "../ipc";
import { getLocale, t, tr, type Key } from "../i18n";
import { clear, h } from "../dom";
import { go, state, view } from "../app";

function errorText(e: unknown): string {
  return isAppError(e) ? e.message : String(e);
}

function passageView(p: Passage, lessonKp: string | null): HTMLElement {
  const kind = t(`kind_${p.kind}` as Key);
  // A lesson section's text starts with its heading (it is searched with it): shown once, in bold.
  const showHeading = p.heading !== "" && p.kind !== "item" && p.kind !== "fact";
  const meta = p.source
    ? t("askPassageMeta", { kp: tr(p.kp_title), kind, source: `${p.source.id} ${p.source.title}`, date: p.as_of })
    : t("askPassageMetaNoSource", { kp: tr(p.kp_title), kind, date: p.as_of });
  return h("li", { class: "passage", "data-kp": p.kp, "data-kind": p.kind },
    showHeading ? h("strong", {}, p.heading) : null,
    h("p", {}, showHeading && p.text.startsWith(p.heading) ? p.text.slice(p.heading.length).trimStart() : p.text),
    h("p", { class: "muted passage-meta" }, meta),
    p.kp !== lessonKp
      ? h("button", { type: "button", class: "link passage-open", onclick: () => void go({ name: "lesson", kp: p.kp }) }, t("askOpenLesson"))
      : null);
}

function answerView(a: AskResult, lessonKp: string | null): HTMLElement {
  const out = h("div", { class: "ask-answer", id: "ask-answer", "data-covered": a.covered ? "true" : "false", lang: a.lang });
  out.append(h("p", { class: a.covered ? "" : "notice" }, a.covered ? t("askCovered") : t("askNotCovered")));
  out.append(h("ol", { class: "passages", id: "ask-passages" }, ...a.passages.map((p) => passageView(p, lessonKp))));
  out.append(h("p", { class: "muted" }, t("askMs", { ms: a.ms })));
  if (a.covered && a.question_id !== null && state.tutor?.state === "ready") out.append(draftOffer(a.question_id));
  else if (a.covered) out.append(h("p", { class: "muted" }, t("askPassagesOnly")));
  if (a.question_id !== null) {
    const id = a.question_id;
    const said = h("span", { class: "muted", "aria-live": "polite" });
    const rate = (helpful: boolean) => void (async () => {
      try {
        await api.rateAnswer(state.learner!.id, id, helpful);
        said.textContent = t("askThanks");
      } catch (e) { said.textContent = errorText(e); }
    })();
    out.append(h("p", { class: "ask-helpful" }, t("askHelpful"), " ",
      h("button", { type: "button", id: "ask-helpful-yes", onclick: () => rate(true) }, t("askYes")), " ",
      h("button", { type: "button", id: "ask-helpful-no", onclick: () => rate(false) }, t("askNo")), " ", said));
  }
  return out;
}

/** The passages are the course's answer. A draft from the on-device model is written only when
 * the learner asks for it, with the measured risk said beside the button (docs/quality.md, "Ask —
 * generated answers": about 4 in 10 drafts that passed the checks were misleading). */
function draftOffer(questionId: number): HTMLElement {
  const box = h("div", { class: "ask-draft-offer", id: "ask-draft-offer" });
  const button = h("button", { type: "button", id: "ask-draft", onclick: () => {
    const draft = generatedAnswer(questionId);
    box.replaceWith(draft);
    draft.focus(); // the button is gone: keep keyboard focus where the answer appears
  } },
    t("askDraft"));
  box.append(button, h("p", { class: "muted", id: "ask-draft-risk" }, t("askDraftRisk")));
  return box;
}

/** The model's answer from the passages above: streamed as it is written (marked as a draft),
 * then kept only if it passed the checks; otherwise taken back with the reason. */
function generatedAnswer(questionId: number): HTMLElement {
  const text = h("p", { class: "generated-text", id: "ask-generated-text" });
  const note = h("p", { class: "muted", id: "ask-generated-note" }, t("askWriting"));
  const box = h("div", { class: "ask-generated", id: "ask-generated", "data-state": "writing", "aria-busy": "true", tabindex: -1 },
    h("p", { class: "generated-label" }, t("askGeneratedLabel")), text, note);
  void (async () => {
    try {
      const v = await api.answerQuestion(state.learner!.id, questionId, (piece) => { text.textContent += piece; });
      box.setAttribute("aria-busy", "false");
      if (v === null) { box.remove(); return; }
      if (v.text !== null) {
        text.textContent = v.text;
        box.dataset.state = "shown";
        note.textContent = t("askGeneratedChecked");
      } else {
        text.textContent = "";
        box.dataset.state = "withheld";
        note.textContent = t("askWithheld", { reason: t(`ask_withheld_${v.withheld ?? "empty"}` as Key) });
      }
    } catch (e) {
      box.setAttribute("aria-busy", "false");
      box.dataset.state = "failed";
      text.textContent = "";
      note.textContent = errorText(e);
    }
  })();
  return box;
}

/** A question box: on a lesson (`kp`, that lesson's passages first) or for the whole pack. */
export function askBox(kp: string | null): HTMLElement {
  const input = h("textarea", { id: "ask-text", rows: 2, maxlength: 2000 });
  const result = h("div", { id: "ask-result", "aria-live": "polite" });
  const button = h("button", { type: "button", id: "ask-send", class: "primary" }, t("askButton"));
  const send = () => void (async () => {
    const q = input.value.trim();
    if (!q) { input.focus(); return; }
    button.disabled = true;
    result.replaceChildren(h("p", { class: "muted" }, t("askWorking")));
    try {
      const a = await api.ask(state.learner!.id, q, kp);
      result.replaceChildren(answerView(a, kp));
    } catch (e) {
      result.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(e)));
    } finally {
      button.disabled = false;
    }
  })();
  button.addEventListener("click", send);
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) send();
  });
  return h("section", { class: "card ask", id: kp ? "ask-lesson" : "ask-pack" },
    h("h2", {}, kp ? t("askTitle") : t("askTitlePack")),
    h("label", { for: "ask-text" }, t("askLabel")), input, button, result);
}

function noteItem(n: Note, showKp: boolean, refresh: () => void, say: (s: string) => void): HTMLElement {
  const body = h("div", { class: "note-body", lang: getLocale() });
  body.innerHTML = n.html; // sanitized in Rust (the same sanitizer as lessons)
  let armed = false;
  const li = h("li", { class: "note", "data-note": n.id });
  const del = h("button", { type: "button", class: "note-delete" }, t("noteDelete"));
  del.addEventListener("click", () => void (async () => {
    if (!armed) { armed = true; del.textContent = t("noteDeleteConfirm"); return; }
    try { await api.deleteNote(state.learner!.id, n.id); say(t("noteDeleted")); refresh(); } catch (e) { say(errorText(e)); }
  })());
  const edit = h("button", { type: "button", class: "note-edit" }, t("noteEdit"));
  edit.addEventListener("click", () => {
    const area = h("textarea", { class: "note-edit-text", rows: 4, maxlength: 20000, "aria-label": t("noteLabel") });
    area.value = n.body;
    const save = h("button", { type: "button", class: "primary note-save" }, t("noteSave"));
    save.addEventListener("click", () => void (async () => {
      if (!area.value.trim()) { say(t("noteEmpty")); return; }
      try { await api.editNote(state.learner!.id, n.id, area.value); say(t("noteSaved")); refresh(); } catch (e) { say(errorText(e)); }
    })());
    const cancel = h("button", { type: "button", onclick: () => refresh() }, t("noteCancel"));
    li.replaceChildren(area, save, cancel);
    area.focus();
  });
  if (showKp) li.append(h("button", { type: "button", class: "link", onclick: () => void go({ name: "lesson", kp: n.kp }) }, tr(n.kp_title)));
  li.append(
    body,
    h("p", { class: "muted" }, t("noteUpdated", { date: n.updated_at.slice(0, 10) }), " ", edit, " ", del));
  return li;
}

/** The learner's notes beside a lesson, with a box to add one. */
export function lessonNotes(kp: string): HTMLElement {
  const list = h("ul", { class: "notes", id: "lesson-notes" });
  const said = h("p", { class: "muted", id: "note-result", "aria-live": "polite" });
  const say = (s: string) => { said.textContent = s; };
  const refresh = () => void (async () => {
    try {
      const notes = await api.notes(state.learner!.id, kp, null);
      list.replaceChildren(...(notes.length ? notes.map((n) => noteItem(n, false, refresh, say)) : [h("li", { class: "muted" }, t("notesNone"))]));
    } catch (e) { say(errorText(e)); }
  })();
  const area = h("textarea", { id: "note-text", rows: 3, maxlength: 20000 });
  const add = h("button", { type: "button", id: "note-add" }, t("noteAdd"));
  add.addEventListener("click", () => void (async () => {
    if (!area.value.trim()) { say(t("noteEmpty")); area.focus(); return; }
    try {
      await api.addNote(state.learner!.id, kp, area.value);
      area.value = "";
      say(t("noteSaved"));
      refresh();
    } catch (e) { say(errorText(e)); }
  })());
  refresh();
  return h("section", { class: "card notes-card", id: "notes" },
    h("h2", {}, t("notesTitle")), list,
    h("label", { for: "note-text" }, t("noteLabel")), area, add, said);
}

/** "My notes": every note, newest first, with search. */
export async function renderNotes(): Promise<void> {
  clear(view);
  const search = h("input", { type: "search", id: "notes-search" });
  const count = h("p", { class: "muted", id: "notes-count", "aria-live": "polite" });
  const list = h("ul", { class: "notes", id: "all-notes" });
  const said = h("p", { class: "muted", "aria-live": "polite" });
  const say = (s: string) => { said.textContent = s; };
  const refresh = () => void (async () => {
    try {
      const notes = await api.notes(state.learner!.id, null, search.value || null);
      count.textContent = t("notesFound", { n: notes.length });
      list.replaceChildren(...(notes.length ? notes.map((n) => noteItem(n, true, refresh, say)) : [h("li", { class: "muted" }, t("notesNone"))]));
    } catch (e) { say(errorText(e)); }
  })();
  let timer = 0;
  search.addEventListener("input", () => { window.clearTimeout(timer); timer = window.setTimeout(refresh, 200); });
  view.append(h("section", { class: "card" },
    h("h1", { id: "notes-title", tabindex: -1 }, t("notesAllTitle")),
    h("label", { for: "notes-search" }, t("notesSearch")), search, count, list, said));
  refresh();
  (document.getElementById("notes-title") as HTMLElement).focus();
}
