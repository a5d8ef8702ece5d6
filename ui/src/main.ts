// Crossway's study window. Business logic lives in Rust (crossway-app); this file shows and asks.
import { listen } from "@tauri-apps/api/event";
import { api, isAppError, type Restored, type TutorStatus, type Answer, type GoalPreview, type Learner, type LearningPath, type Lesson, type Method, type PlacementStep, type Step } from "./ipc";
import { getLocale, pct, reasonText, setLocale, t, tr } from "./i18n";
import { clear, h } from "./dom";
import { go, onLeave, roleTitle, setRenderer, setRestarter, showError, showNotice, state, view, type Screen } from "./app";
import { renderDataProblem, restoredText } from "./screens/recovery";
import { renderSimulationRun, renderSimulations } from "./screens/simulations";
import { renderGroups } from "./screens/groups";
import { renderProgress } from "./screens/progress";
import { renderOnboarding, renderSettings } from "./screens/settings";
import { itemForm, submitAnswer } from "./practice";
import { dashboardPanels } from "./screens/dashboard";
import { askBox, lessonNotes, renderNotes } from "./screens/words";
import { renderClass } from "./screens/classroom";
import { classApi } from "./ipc";

const statusbar = document.getElementById("statusbar") as HTMLElement;
const localeBtn = document.getElementById("toggle-locale") as HTMLButtonElement;
const switchBtn = document.getElementById("switch-learner") as HTMLButtonElement;
const currentLearner = document.getElementById("current-learner") as HTMLElement;

async function render(): Promise<void> {
  localeBtn.textContent = t("switchLanguage");
  localeBtn.setAttribute("aria-label", t("switchLanguageLabel"));
  switchBtn.textContent = t("switchLearner");
  switchBtn.hidden = state.learner === null;
  currentLearner.textContent = state.learner ? state.learner.name : "";
  renderNav();
  renderStatus();
  try {
    switch (state.screen.name) {
      case "learners": return await renderLearners();
      case "path": return await renderPath();
      case "lesson": return await renderLesson(state.screen.kp, state.screen.start);
      case "placement": return await renderPlacement();
      case "simulations": return await renderSimulations();
      case "simulation": return await renderSimulationRun(state.screen.runId);
      case "progress": return await renderProgress();
      case "groups": return await renderGroups();
      case "settings": return await renderSettings();
      case "onboarding": return await renderOnboarding();
      case "notes": return await renderNotes();
      case "class": return await renderClass();
      case "data": return renderDataProblem(state.screen.problem, (r) => start(r));
    }
  } catch (e) {
    showError(e);
  }
}

/** The screens of a learner's study loop; the current one is marked for screen readers too. */
function renderNav(): void {
  const nav = document.getElementById("screens") as HTMLElement;
  nav.hidden = state.learner === null;
  const current = state.screen.name === "lesson" || state.screen.name === "placement" || state.screen.name === "onboarding" ? "path"
    : state.screen.name === "simulation" ? "simulations" : state.screen.name;
  const items: [string, string, Screen][] = [
    ["path", t("navDashboard"), { name: "path" }],
    ["simulations", t("navSimulations"), { name: "simulations" }],
    ["progress", t("navProgress"), { name: "progress" }],
    ["groups", t("navGroups"), { name: "groups" }],
    ["notes", t("navNotes"), { name: "notes" }],
    ["settings", t("navSettings"), { name: "settings" }],
  ];
  nav.setAttribute("aria-label", t("navLabel"));
  nav.replaceChildren(...items.map(([id, label, screen]) => h("button", {
    type: "button", id: `nav-${id}`, class: id === current ? "nav current" : "nav",
    "aria-current": id === current ? "page" : undefined, onclick: () => void go(screen),
  }, label)));
}

function renderStatus(): void {
  const s = state.status;
  if (!s) return;
  const parts: [string, string][] = [];
  for (const p of s.packs) parts.push([`pack-status-${p.id}`, t("packLine", { title: tr(p.title), version: p.version, date: p.as_of })]);
  if (s.model.state === "not_installed") {
    parts.push(["model-status", t("modelNone")]);
  } else {
    const m = s.model;
    parts.push(["model-status", t("modelFound", {
      name: m.name ?? m.file,
      details: [m.quantization, `${Math.round(m.bytes / 1048576)} MiB`, m.licence].filter(Boolean).join(", "),
      check: m.verified ? t("checksumOk") : t("checksumUnknown"),
    })]);
  }
  const tutor = state.tutor;
  if (tutor && tutor.state !== "none") {
    const key = tutor.state === "loading" ? "tutorLoading" : tutor.state === "ready" ? "tutorReady" : "tutorFailed";
    parts.push(["tutor-status", t(key, { model: tutor.model ?? "", message: tutor.message ?? "", threads: tutor.threads, ms: tutor.load_ms ?? 0 })]);
  }
  // A load error is the tutor's own (English) text: said in the English sentence, and kept as the
  // tooltip in Chinese so the sentence stays in one language.
  statusbar.replaceChildren(...parts.map(([id, text]) => h("span", {
    class: "status-part", id,
    "data-state": id === "tutor-status" ? tutor?.state : undefined,
    title: id === "tutor-status" && tutor?.state === "failed" ? (tutor.message ?? undefined) : undefined,
  }, text)));
}

async function renderLearners(): Promise<void> {
  const learners = await api.learners();
  clear(view);
  const list = learners.length
    ? h("ul", { class: "learner-list" }, ...learners.map((l) =>
        h("li", {},
          h("button", { type: "button", class: "learner", "data-learner-id": l.id, onclick: (ev: Event) => {
            if (l.has_pin) askPin(l, (ev.currentTarget as HTMLElement).parentElement!);
            else void openLearner(l);
          } },
            h("strong", { "data-lang-free": true }, l.name), " · ", roleTitle(l.goal_role) || t("noGoal"), " · ", t("attemptsSoFar", { n: l.attempts }),
            l.has_pin ? h("span", { class: "badge" }, "🔒 ", t("pinLocked")) : null))))
    : h("p", { class: "muted" }, t("noLearners"));

  const name = h("input", { id: "new-learner-name", name: "name", required: true, maxlength: 80, autocomplete: "off" });
  const goal = h("select", { id: "new-learner-goal", name: "goal" },
    h("option", { value: "" }, t("noGoal")),
    ...state.roles.map((r) => h("option", { value: r.id }, tr(r.title))));
  const weekly = h("input", { id: "new-learner-weekly", name: "weekly", type: "number", min: 10, max: 5040, step: 10, value: 180 });
  const lang = h("select", { id: "new-learner-locale", name: "locale" },
    h("option", { value: "zh-CN", selected: getLocale() === "zh-CN" }, "简体中文"),
    h("option", { value: "en", selected: getLocale() === "en" }, "English"));
  const form = h("form", { class: "card form-grid", id: "new-learner-form" },
    h("h2", {}, t("newLearner")),
    h("label", { for: "new-learner-name" }, t("name")), name,
    h("label", { for: "new-learner-goal" }, t("goalRole")), goal,
    h("label", { for: "new-learner-weekly" }, t("weeklyMinutes")), weekly,
    h("label", { for: "new-learner-locale" }, t("language")), lang,
    h("button", { type: "submit", id: "create-learner", class: "primary" }, t("create")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      try {
        const learner = await api.createLearner({
          name: name.value,
          locale: lang.value as "en" | "zh-CN",
          goal_role: goal.value || null,
          weekly_minutes: Number(weekly.value) || 180,
        });
        setLocale(learner.locale);
        state.learner = learner;
        localStorage.setItem("crossway.learner", String(learner.id));
        await go({ name: "onboarding" });
      } catch (e) {
        showError(e);
      }
    })();
  });
  view.append(
    h("section", { class: "card" }, h("h1", {}, t("welcomeTitle")), h("p", { class: "muted" }, t("welcomeLead")), list),
    form,
    h("p", {}, h("button", { type: "button", id: "open-class-view", onclick: () => void classApi.openWindow().catch(showError) }, t("navClass"))),
  );
  name.focus();
}

/** A profile with a PIN opens only with it (a lock for shared computers, not encryption). */
function askPin(l: Learner, where: HTMLElement): void {
  if (where.querySelector(".pin-form")) return;
  const id = `pin-${l.id}`;
  const box = h("input", { id, type: "password", inputmode: "numeric", autocomplete: "off", maxlength: 8, class: "pin-input" });
  const out = h("span", { class: "hint", "aria-live": "polite" });
  const form = h("form", { class: "pin-form" }, h("label", { for: id }, t("pinEnter", { name: l.name })), box,
    h("button", { type: "submit", class: "primary pin-open" }, t("pinOpen")), out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      try {
        if (await api.checkPin(l.id, box.value)) await openLearner(l);
        else { out.textContent = t("pinWrong"); box.value = ""; box.focus(); }
      } catch (e) {
        // Too many wrong PINs: say how long to wait, in the learner's language.
        if (isAppError(e) && e.code === "pin_wait") out.textContent = t("pinWait", { s: e.details?.[0] ?? "?" });
        else showError(e);
      }
    })();
  });
  where.append(form);
  box.focus();
}

async function openLearner(l: Learner): Promise<void> {
  state.learner = l;
  localStorage.setItem("crossway.learner", String(l.id));
  state.screen = { name: "path" };
  await render();
}

async function renderPath(): Promise<void> {
  const learner = state.learner!;
  const path: LearningPath = await api.path(learner.id);
  clear(view);
  const header = h("section", { class: "card path-header" },
    h("h1", {}, t("pathTitle")),
    h("p", { id: "path-goal" }, path.goal_title ? t("pathGoal", { goal: tr(path.goal_title) }) : t("pathNoGoal")),
    path.goal_role ? h("p", { class: "muted" }, t("pathSummary", { minutes: path.goal_minutes, weekly: path.weekly_minutes })) : null,
    goalChanger(learner),
    learner.goal_role
      ? h("button", { type: "button", id: "start-placement", onclick: () => { state.screen = { name: "placement" }; void render(); } }, t("placementStart"))
      : null);
  if (state.lastGoalChange) {
    header.append(h("div", { class: "notice", id: "goal-changed", role: "status" }, h("p", {}, h("strong", {}, t("goalChanged"))), diffView(state.lastGoalChange)));
    state.lastGoalChange = null;
  }
  view.append(header);
  if (path.steps.length === 0) {
    view.append(h("p", { class: "card" }, t("emptyPath")), askBox(null), ...(await dashboardPanels(path)));
    return;
  }
  const updates = await api.industryUpdates(learner.id);
  if (updates.length) {
    view.append(h("section", { class: "card notice", id: "industry-updates", role: "status" },
      h("h2", {}, t("updatesTitle")),
      h("ul", {}, ...updates.map((u) => h("li", {}, t("updateLine", {
        kp: tr(u.kp_title),
        fact: u.fact ? tr(u.fact) : u.change,
        from: u.from_version,
        to: u.to_version,
        date: u.new_as_of ?? u.old_as_of ?? "",
      }))))));
  }
  const panels = await dashboardPanels(path);
  view.append(panels[0]);
  const list = h("ol", { class: "steps", id: "path-steps", "aria-label": t("planTitle") });
  let week = 0;
  for (const s of path.steps) {
    if (s.week !== week) {
      week = s.week;
      list.append(h("li", { class: "week", "aria-hidden": "true" }, t("week", { n: week })));
    }
    const titles = new Map(s.kp_titles.map(([id, text]) => [id, tr(text)]));
    const reasons = s.reasons.map((r) => h("li", { class: `reason reason-${r.kind}` },
      reasonText(r, roleTitle(path.goal_role), (kp) => titles.get(kp) ?? kp)));
    list.append(h("li", { class: `step ${s.for_goal ? "for-goal" : "optional"}`, "data-kp": s.kp },
      h("div", { class: "step-head" },
        h("span", { class: `badge action-${s.action}` }, actionLabel(s.action)),
        h("h3", {}, tr(s.title)),
        h("span", { class: "muted" }, tr(s.module)),
        h("span", { class: "badge" }, s.for_goal ? t("forGoal") : t("optional")),
        h("span", { class: "muted" }, t("minutes", { n: s.minutes }))),
      masteryBar(s.mastery),
      h("details", { class: "why" }, h("summary", {}, t("why")), h("ul", {}, ...reasons)),
      h("button", { type: "button", class: "open-lesson primary", onclick: () => {
        // Struggling: the worked example comes first; else the method that works for this learner.
        const start = s.action === "remediate" ? "example" : s.method ? METHOD_TAB[s.method] : "lesson";
        void go({ name: "lesson", kp: s.kp, start });
      } }, t("openLesson"))));
  }
  view.append(h("section", { class: "card plan" }, h("h2", {}, t("planTitle")), list), askBox(null), ...panels.slice(1));
}

/** The lesson tab each method opens on. */
const METHOD_TAB: Record<Method, string> = {
  read: "lesson", example: "example", practice: "practice", simulation: "lesson", discussion: "discussion", workshop: "workshop",
};

function actionLabel(a: Step["action"]): string {
  switch (a) {
    case "learn": return t("actionLearn");
    case "practice": return t("actionPractice");
    case "remediate": return t("actionRemediate");
    case "review": return t("actionReview");
    case "refresh": return t("actionRefresh");
    case "test_out": return t("actionTestOut");
  }
}

/** The path change a goal change brings, in words (shown before confirming and after). */
function diffView(p: GoalPreview): HTMLElement {
  const titles = new Map(p.titles.map(([id, text]) => [id, tr(text)]));
  const name = (kp: string) => `“${titles.get(kp) ?? kp}”`;
  const sep = getLocale() === "zh-CN" ? "、" : ", ";
  const d = p.diff;
  const lines: string[] = [];
  if (d.added.length) lines.push(t("goalAdded", { list: d.added.map(name).join(sep) }));
  if (d.dropped.length) lines.push(t("goalDropped", { list: d.dropped.map(name).join(sep) }));
  if (d.moved.length) lines.push(t("goalMoved", { list: d.moved.map((m) => `${name(m.kp)} ${m.from}→${m.to}`).join(sep) }));
  if (!lines.length) lines.push(t("goalNoChange"));
  lines.push(t("goalMinutes", { before: d.goal_minutes_before, after: d.goal_minutes_after }));
  return h("ul", { class: "goal-diff" }, ...lines.map((l) => h("li", {}, l)));
}

function goalChanger(learner: Learner): HTMLElement {
  const select = h("select", { id: "goal-select", "aria-label": t("goalRole") },
    h("option", { value: "" }, t("noGoal")),
    ...state.roles.map((r) => h("option", { value: r.id, selected: r.id === learner.goal_role }, tr(r.title))));
  const preview = h("div", { id: "goal-preview", "aria-live": "polite" });
  select.addEventListener("change", () => void (async () => {
    try {
      const p = await api.previewGoal(learner.id, select.value || null);
      preview.replaceChildren(h("p", {}, h("strong", {}, t("goalPreviewTitle"))), diffView(p));
    } catch (e) { showError(e); }
  })());
  return h("div", { class: "goal-changer" },
    h("label", { for: "goal-select" }, t("changeGoal")), select,
    h("button", { type: "button", id: "save-goal", onclick: () => void (async () => {
      try {
        const change = await api.setGoal(learner.id, select.value || null);
        state.learner = change.learner;
        state.lastGoalChange = change.preview;
        await render();
      } catch (e) { showError(e); }
    })() }, t("saveGoal")),
    preview);
}

function masteryBar(p: number): HTMLElement {
  const bar = h("meter", { min: 0, max: 1, low: 0.6, high: 0.8, optimum: 1, value: p, "aria-label": t("mastery", { p: pct(p) }) });
  return h("div", { class: "mastery" }, bar, h("span", {}, t("mastery", { p: pct(p) })));
}

async function renderLesson(kp: string, start = "lesson"): Promise<void> {
  const lesson: Lesson = await api.lesson(state.learner!.id, kp);
  const attempts = await api.attempts(state.learner!.id);
  clear(view);
  // Method tabs: read, worked example, discussion prompt, printable workshop card. Every body is
  // HTML sanitized in Rust (ammonia): no script, no handlers, no URLs; the CSP blocks inline script.
  const tabs: { id: string; label: string; html: string }[] = [
    { id: "lesson", label: t("tabLesson"), html: tr(lesson.html) },
    { id: "example", label: t("tabExample"), html: tr(lesson.example_html) },
    { id: "discussion", label: t("tabDiscussion"), html: tr(lesson.discussion_html) },
    { id: "workshop", label: t("tabWorkshop"), html: tr(lesson.workshop_html) },
  ];
  const panels = tabs.map((tab, i) => {
    const panel = h("article", { class: `lesson-body tab-panel panel-${tab.id}`, id: i === 0 ? "lesson-body" : `panel-${tab.id}`, role: "tabpanel", "aria-labelledby": `tab-${tab.id}`, lang: getLocale(), hidden: i !== 0 });
    panel.innerHTML = tab.html;
    if (tab.id === "workshop") {
      panel.append(h("button", { type: "button", class: "print-workshop", onclick: () => window.print() }, t("printWorkshop")));
    }
    return panel;
  });
  const tabButtons = tabs.map((tab, i) => h("button", {
    type: "button", role: "tab", id: `tab-${tab.id}`, "aria-selected": i === 0 ? "true" : "false", class: "tab",
    onclick: () => selectTab(i),
  }, tab.label));
  // Time on each tab is a study session with that method (F10): recorded when the learner
  // switches tab or leaves the lesson; the method blend measures what followed it.
  const TAB_METHOD: Record<string, Method> = { lesson: "read", example: "example", discussion: "discussion", workshop: "workshop" };
  let current = 0;
  let since = performance.now();
  const recordTab = (): void => {
    const seconds = (performance.now() - since) / 1000;
    since = performance.now();
    const method = TAB_METHOD[tabs[current].id];
    void api.recordStudy(state.learner!.id, { kp, method, seconds: Math.min(seconds, 86400), idempotency_key: crypto.randomUUID() }).catch(() => {});
  };
  onLeave(recordTab);
  function selectTab(i: number): void {
    if (i !== current) recordTab();
    current = i;
    tabButtons.forEach((b, j) => b.setAttribute("aria-selected", j === i ? "true" : "false"));
    panels.forEach((p, j) => { p.hidden = j !== i; });
    tabButtons[i].focus();
  }
  const tablist = h("div", { role: "tablist", class: "tabs", "aria-label": t("methods") }, ...tabButtons);
  tablist.addEventListener("keydown", (ev) => {
    const i = tabButtons.findIndex((b) => b.getAttribute("aria-selected") === "true");
    if (ev.key === "ArrowRight") selectTab((i + 1) % tabs.length);
    if (ev.key === "ArrowLeft") selectTab((i + tabs.length - 1) % tabs.length);
  });
  const facts = lesson.facts.length
    ? h("section", { class: "facts", id: "lesson-facts" },
        h("h2", {}, t("factsTitle")),
        h("ul", {}, ...lesson.facts.map((f) => h("li", {}, tr(f.text), " ", h("span", { class: "muted" }, t("factMeta", { source: f.source, date: f.as_of }))))))
    : null;
  view.append(
    h("button", { type: "button", id: "back-to-path", onclick: () => void go({ name: "path" }) }, "← " + t("back")),
    h("section", { class: "card" },
      h("p", { class: "muted" }, tr(lesson.module)),
      h("h1", { id: "lesson-title", tabindex: -1 }, tr(lesson.title)),
      h("p", { class: "muted" }, t("asOf", { date: lesson.as_of })),
      tablist,
      ...panels,
      facts,
      lesson.sources.length
        ? h("section", { class: "sources", id: "lesson-sources" },
            h("h2", {}, t("sourcesTitle")),
            h("ul", {}, ...lesson.sources.map((s) => h("li", {}, `[${s.id}] ${s.title}`, ...s.urls.map((u) => h("div", { class: "url" }, u))))))
        : null),
    lessonNotes(kp),
    askBox(kp),
    lessonFeedback(kp),
    h("section", { class: "card practice", id: "practice" },
      h("h2", { tabindex: -1 }, t("practice")),
      h("p", { class: "muted", id: "attempt-count" }, t("attemptsSoFar", { n: attempts.length })),
      ...lesson.items.map((item) => itemForm(item, (sub, progress) => submitAnswer(item, null, sub, progress), () => void (async () => {
        const attempts = await api.attempts(state.learner!.id);
        document.getElementById("attempt-count")!.textContent = t("attemptsSoFar", { n: attempts.length });
      })()))),
  );
  const first = tabs.findIndex((tab) => tab.id === start);
  if (start === "practice") (document.querySelector("#practice h2") as HTMLElement).focus();
  else if (first > 0) selectTab(first);
  else (document.getElementById("lesson-title") as HTMLElement).focus?.();
}

/** Rate this lesson (1–5) and report an error in it (F16); both go to the authors' report. */
function lessonFeedback(kp: string): HTMLElement {
  const out = h("p", { class: "muted", id: "lesson-feedback-result", "aria-live": "polite" });
  const send = (f: Parameters<typeof api.sendFeedback>[1]) => void (async () => {
    try {
      await api.sendFeedback(state.learner!.id, f);
      out.textContent = f.kind === "rating" ? t("ratingThanks") : t("reportThanks");
    } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
  })();
  const stars = h("fieldset", { class: "stars", id: "rate-lesson" }, h("legend", {}, t("rateLesson")),
    ...[1, 2, 3, 4, 5].map((n) => h("button", { type: "button", class: "star", "data-rating": n, "aria-label": t("rateN", { n }),
      onclick: () => send({ kind: "rating", target: "lesson", target_id: kp, rating: n, comment: "" }) }, "★".repeat(n))));
  const report = h("textarea", { id: "report-text", rows: 2, maxlength: 2000 });
  return h("section", { class: "card lesson-feedback" },
    stars,
    h("details", { id: "report-error" }, h("summary", {}, t("reportError")),
      h("label", { for: "report-text" }, t("reportWhat")), report,
      h("button", { type: "button", id: "send-report", onclick: () => {
        if (!report.value.trim()) { out.textContent = t("reportWhat"); return; }
        send({ kind: "error_report", target: "lesson", target_id: kp, comment: report.value });
        report.value = "";
      } }, t("reportSend"))),
    out);
}

async function renderPlacement(): Promise<void> {
  const learner = state.learner!;
  const show = (step: PlacementStep): void => {
    clear(view);
    const card = h("section", { class: "card", id: "placement" }, h("h1", {}, t("placementTitle")));
    view.append(card);
    if (step.summary || !step.item) {
      const s = step.summary ?? { known: 0, unknown: 0 };
      card.append(
        h("p", { id: "placement-done", role: "status" }, t("placementDone", { known: s.known, unknown: s.unknown })),
        h("button", { type: "button", class: "primary", id: "placement-to-path", onclick: () => { state.screen = { name: "path" }; void render(); } }, t("backToPath")));
      return;
    }
    const item = step.item;
    const key = crypto.randomUUID();
    const fields = h("div", { class: "fields" });
    if (item.kind === "choice") {
      item.options.forEach((o, i) => fields.append(h("div", { class: "choice-option" },
        h("input", { type: "radio", name: "placement-opt", id: `placement-opt-${i}`, value: i }),
        h("label", { for: `placement-opt-${i}` }, tr(o)))));
    } else {
      fields.append(h("label", { for: "placement-num" }, t("numberIn", { unit: item.unit ?? "" })),
        h("input", { id: "placement-num", type: "text", inputmode: "decimal", autocomplete: "off" }));
    }
    const hint = h("p", { class: "hint", "aria-live": "polite" });
    let sending = false;
    // One answer per question: a double click must not send the next question's answer too.
    const send = (answer: Answer | null) => void (async () => {
      if (sending) return;
      sending = true;
      card.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      try {
        show(await api.placementAnswer(learner.id, { item_id: item.id, answer, idempotency_key: key }));
      } catch (e) { showError(e); }
    })();
    const submit = h("button", { type: "button", class: "primary", id: "placement-submit", onclick: () => {
      if (item.kind === "choice") {
        const c = fields.querySelector<HTMLInputElement>("input:checked");
        if (!c) { hint.textContent = t("pickOption"); return; }
        send({ kind: "choice", option: Number(c.value) });
      } else {
        const box = fields.querySelector<HTMLInputElement>("#placement-num")!;
        const v = Number(box.value.replace(/[,，\s]/g, ""));
        if (box.value.trim() === "" || !Number.isFinite(v)) { hint.textContent = t("enterNumber"); return; }
        send({ kind: "numeric", value: v });
      }
    } }, t("next"));
    card.append(
      h("p", { class: "muted" }, t("placementLead")),
      h("p", { class: "muted", id: "placement-progress" }, t("placementProgress", { n: step.asked + 1, max: step.max })),
      h("p", { class: "stem" }, tr(item.stem)),
      fields,
      h("div", { class: "goal-changer" }, submit, h("button", { type: "button", id: "placement-dont-know", onclick: () => send(null) }, t("dontKnow"))),
      hint);
  };
  show(await api.placementNext(learner.id));
}

localeBtn.addEventListener("click", () => {
  setLocale(getLocale() === "zh-CN" ? "en" : "zh-CN");
  void render();
});
switchBtn.addEventListener("click", () => {
  if (state.learner) void api.lockLearner(state.learner.id);
  state.learner = null;
  localStorage.removeItem("crossway.learner");
  state.screen = { name: "learners" };
  void render();
});

/** Loads the window's data; when the database cannot be used, shows what happened and the
 *  backups instead. Runs again after a restore (`restored` says from which backup). */
async function start(restored: Restored | null = null): Promise<void> {
  try {
    const problem = await api.dataProblem();
    if (problem) {
      state.learner = null;
      state.screen = { name: "data", problem };
      await render();
      return;
    }
    state.status = await api.status();
    state.tutor = await api.tutorStatus();
    state.roles = await api.roles();
    // The teacher's window (its own capability: no learner's records, not even the list).
    if (CLASS_WINDOW) {
      state.learner = null;
      state.screen = { name: "class" };
      await render();
      return;
    }
    const remembered = Number(localStorage.getItem("crossway.learner"));
    const learners = await api.learners();
    const l = learners.find((x) => x.id === remembered && !x.has_pin);
    state.learner = l ?? null;
    state.screen = l ? { name: "path" } : { name: "learners" };
    await render();
    const done = restoredText(restored);
    if (done) showNotice(done, "info", [...(restored?.set_aside ?? []), restored?.restored_from ?? ""]);
  } catch (e) {
    renderStatus();
    showError(e);
  }
}

/** This webview is the teacher's class window (opened with `#class`). */
const CLASS_WINDOW = window.location.hash === "#class";

setRenderer(render);
setRestarter(start);
// The model loads in the background; the status bar follows it.
void listen<TutorStatus>("tutor-status", (e) => { state.tutor = e.payload; renderStatus(); });
setLocale(getLocale());
void start();
