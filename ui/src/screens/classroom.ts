// Classroom installs (issue #18): the teacher's class view (counts only, every number over at
// least 3 learners — the rule is applied in Rust, crossway-core/src/class.rs) and the learner's
// "My class" card (join with a class code, export the class summary).
import { classApi, isAppError, pickFolder, type CountCell as Cell, type ClassInfo, type ClassReport, type Learner } from "../ipc";
import { t, tr } from "../i18n";
import { h } from "../dom";
import { showError, state, view } from "../app";
import { chart } from "../charts";

const LEVELS = ["not_started", "learning", "level_1", "level_2", "level_3"] as const;
const BINS = ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%"];
const DIMS: Record<string, "dimKnowledge" | "dimSkill" | "dimAttitude" | "dimTeamwork"> = {
  knowledge: "dimKnowledge", skill: "dimSkill", attitude: "dimAttitude", teamwork: "dimTeamwork",
};

const cell = (c: Cell): string => (c === null ? "<3" : String(c));
/** A statistic that may be missing because it cannot be computed (too little data), not hidden. */
const stat = (x: number | null, digits = 2): string => (x === null ? "—" : x.toFixed(digits));

/** The class view: the teacher's PIN first, then classes, imports and the report. */
export async function renderClass(): Promise<void> {
  const teacher = await classApi.teacher();
  const title = h("h1", { id: "class-title", tabindex: -1 }, t("classTitle"));
  if (!teacher) {
    view.replaceChildren(title, h("p", { class: "muted" }, t("classLead")), createTeacherForm());
  } else if (!teacher.unlocked) {
    view.replaceChildren(title, h("p", { class: "muted" }, t("classLead")), unlockForm());
  } else {
    const classes = await classApi.classes();
    const report = h("div", { id: "class-report" });
    const picker = h("select", { id: "class-pick" }, ...classes.map((c) => h("option", { value: c.id }, `${c.name} (${c.id})`)));
    const code = h("p", { class: "muted", id: "class-code" });
    const show = async (): Promise<void> => {
      const c = classes.find((x) => x.id === picker.value);
      if (!c) return;
      code.textContent = t("classCode", { code: c.code });
      try { report.replaceChildren(...reportView(await classApi.report(c.id))); } catch (e) { showError(e); }
    };
    picker.addEventListener("change", () => void show());
    view.replaceChildren(title,
      h("p", { class: "muted" }, t("classLead")),
      h("div", { class: "goal-changer no-print" },
        h("button", { type: "button", id: "class-print", onclick: () => window.print() }, t("classPrint")),
        h("button", { type: "button", id: "teacher-lock", onclick: () => void (async () => { await classApi.lockTeacher(); await renderClass(); })() }, t("teacherLock"))),
      ...(classes.length ? [h("section", { class: "card form-grid" }, h("label", { for: "class-pick" }, t("classPick")), picker, code), importCard(() => picker.value, show)] : []),
      report,
      newClassForm());
    await show();
  }
  title.focus();
}

function createTeacherForm(): HTMLElement {
  const name = h("input", { id: "teacher-name", maxlength: 80, required: true, autocomplete: "off" });
  const pin = h("input", { id: "teacher-new-pin", type: "password", inputmode: "numeric", maxlength: 8, required: true, autocomplete: "off" });
  const out = h("p", { class: "muted", "aria-live": "polite" });
  const form = h("form", { class: "card form-grid", id: "teacher-create" },
    h("h2", {}, t("teacherCreate")), h("p", { class: "muted" }, t("teacherCreateLead")),
    h("label", { for: "teacher-name" }, t("teacherName")), name,
    h("label", { for: "teacher-new-pin" }, t("teacherPin")), pin,
    h("button", { type: "submit", class: "primary", id: "teacher-create-button" }, t("teacherCreate")), out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      try { await classApi.createTeacher(name.value, pin.value); await renderClass(); } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
    })();
  });
  return form;
}

function unlockForm(): HTMLElement {
  const pin = h("input", { id: "teacher-pin", type: "password", inputmode: "numeric", maxlength: 8, autocomplete: "off" });
  const out = h("p", { class: "muted", "aria-live": "polite" });
  const form = h("form", { class: "card form-grid", id: "teacher-unlock" },
    h("label", { for: "teacher-pin" }, t("teacherPin")), pin,
    h("button", { type: "submit", class: "primary", id: "teacher-unlock-button" }, t("teacherUnlock")), out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      try {
        if (await classApi.unlockTeacher(pin.value)) await renderClass();
        else { out.textContent = t("teacherWrong"); pin.value = ""; pin.focus(); }
      } catch (e) {
        if (isAppError(e) && e.code === "pin_wait") out.textContent = t("pinWait", { s: e.details?.[0] ?? "?" });
        else out.textContent = isAppError(e) ? e.message : String(e);
      }
    })();
  });
  return form;
}

function newClassForm(): HTMLElement {
  const name = h("input", { id: "class-name", maxlength: 80, required: true, autocomplete: "off" });
  const roles = state.roles.map((r) => {
    const box = h("input", { type: "checkbox", id: `class-role-${r.id}`, value: r.id });
    return h("label", { for: `class-role-${r.id}`, class: "check" }, box, " ", tr(r.title));
  });
  const local = h("input", { type: "checkbox", id: "class-local", checked: true });
  const out = h("p", { class: "muted", "aria-live": "polite" });
  const form = h("form", { class: "card form-grid no-print", id: "class-new" },
    h("h2", {}, t("classNew")),
    h("label", { for: "class-name" }, t("className")), name,
    h("fieldset", { class: "span-all" }, h("legend", {}, t("classRoles")), ...roles),
    h("label", { for: "class-local", class: "check span-all" }, local, " ", t("classLocal")),
    h("button", { type: "submit", class: "primary", id: "class-create" }, t("classCreate")), out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const picked = roles.map((l) => l.querySelector("input")!).filter((b) => b.checked).map((b) => b.value);
    void (async () => {
      try { await classApi.createClass(name.value, picked, local.checked); await renderClass(); } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
    })();
  });
  return form;
}

function importCard(classId: () => string, after: () => Promise<void>): HTMLElement {
  const path = h("input", { id: "class-import-path", autocomplete: "off" });
  const out = h("div", { id: "class-import-result", "aria-live": "polite" });
  return h("section", { class: "card form-grid no-print" },
    h("h2", {}, t("classImport")),
    h("label", { for: "class-import-path" }, t("classImportPath")), path,
    h("div", { class: "goal-changer span-all" },
      h("button", { type: "button", id: "class-import-pick", onclick: () => void (async () => {
        const picked = await pickFolder(t("classImportPath"));
        if (picked) path.value = picked;
      })() }, t("classImportPick")),
      h("button", { type: "button", class: "primary", id: "class-import", onclick: () => void (async () => {
        try {
          const r = await classApi.importSummaries(classId(), path.value);
          out.replaceChildren(h("p", {}, t("classImported", { new: r.new, replaced: r.replaced, unchanged: r.unchanged, refused: r.refused.length })),
            r.refused.length ? h("ul", {}, ...r.refused.map((x) => h("li", {}, t("classRefused", { file: x.file, reason: x.reason })))) : "");
          await after();
        } catch (e) { out.replaceChildren(h("p", { role: "alert" }, isAppError(e) ? e.message : String(e))); }
      })() }, t("classImportButton"))),
    out);
}

const title = (r: ClassReport, id: string): string => (r.titles[id] ? tr(r.titles[id]) : id);

function table(id: string, caption: string, head: string[], rows: (string | HTMLElement)[][]): HTMLElement {
  return h("table", { id, class: "class-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...head.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c) : h("td", {}, c)))))));
}

/** Shading of a heatmap cell by its share of the class (the number is always written in it). */
function heatCell(c: Cell, n: number): HTMLElement {
  const share = c === null || n === 0 ? -1 : c / n;
  const band = share < 0 ? "hidden" : String(Math.min(4, Math.floor(share * 5)));
  return h("span", { class: `heat heat-${band}` }, cell(c));
}

function reportView(r: ClassReport): HTMLElement[] {
  const rep = r.report;
  const k = rep.min_cell;
  const out: HTMLElement[] = [
    h("section", { class: "card", id: "class-summary" },
      h("h2", {}, r.class_name ?? ""),
      h("p", {}, t("classSummary", { n: rep.learners, local: r.local, imported: r.imported })),
      rep.learners < k ? h("p", { role: "note" }, t("classTooFew", { k })) : null,
      h("p", { class: "muted", id: "class-hidden" }, t("classHidden", { hidden: rep.hidden, k }))),
  ];
  // Mastery heatmap: KPs someone has started, grouped by module (the table is the text equivalent).
  const started = rep.heatmap.filter((row) => row.counts[0] !== rep.learners);
  const levels = LEVELS.map((l) => t(`level_${l}`));
  const kpNames = started.map((row) => title(r, row.kp));
  // The heatmap drawing (cells of fewer than 3 learners left empty); the table below is its text.
  const heat = chart("class-heat-chart", t("heatTitle"), {
    tooltip: { position: "top" },
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    xAxis: { type: "category", data: levels, position: "top" },
    yAxis: { type: "category", data: kpNames, inverse: true, axisLabel: { width: 260, overflow: "truncate" } },
    visualMap: { min: 0, max: Math.max(1, rep.learners), calculable: false, orient: "horizontal", left: "center", bottom: 4, inRange: { color: ["#e6f4f1", "#0f766e"] } },
    series: [{ type: "heatmap", label: { show: true }, data: started.flatMap((row, y) => row.counts.flatMap((c, x) => (c === null ? [] : [[x, y, c]]))) }],
  });
  heat.classList.add("class-heat-chart");
  heat.style.height = `${Math.max(160, 26 * started.length + 90)}px`;
  out.push(h("section", { class: "card" }, heat, table("class-heatmap", t("heatTitle"),
    [t("classKpCol"), ...levels],
    started.map((row) => [`${title(r, row.module)} · ${title(r, row.kp)}`, ...row.counts.map((c) => heatCell(c, rep.learners))]))));
  if (rep.readiness.length) {
    out.push(h("section", { class: "card" }, table("class-readiness", `${t("classReadinessTitle")} — ${t("readinessShare")}`,
      [t("readinessRole"), t("readinessReady"), t("readinessChose"), ...BINS],
      rep.readiness.map((x) => [title(r, x.role), cell(x.ready), cell(x.chose_it), ...x.bins.map(cell)]))));
  }
  out.push(h("section", { class: "card" },
    table("class-items", t("itemsTitle", { k }),
      [t("itemCol"), t("itemLearners"), t("itemP"), t("itemDisc"), t("itemDisputes"), t("itemFlags")],
      rep.items.slice(0, 40).map((i) => [`${title(r, r.item_kp[i.item] ?? "")} · ${i.item}`, String(i.learners), stat(i.p_value), stat(i.discrimination), stat(i.dispute_rate),
        i.flags.map((f) => f.kind).join(", ")])),
    h("p", { class: "muted" }, t("itemsHiddenNote", { n: rep.items_hidden }))));
  out.push(h("section", { class: "card", id: "class-stuck" }, h("h2", {}, t("stuckTitle")),
    rep.stuck.length
      ? h("ul", {}, ...rep.stuck.map((s) => h("li", {}, t("stuckLine", { kp: title(r, s.kp), stuck: cell(s.stuck), asking: cell(s.asking) }))))
      : h("p", { class: "muted" }, t("stuckNone", { k }))));
  out.push(h("section", { class: "card" }, table("class-indicators", t("classIndicatorsTitle"),
    ["", t("indicatorNone"), ...BINS, t("indicatorMean")],
    rep.indicators.map((d) => [t(DIMS[d.dimension] ?? "dimKnowledge"), cell(d.no_evidence), ...d.bins.map(cell), d.mean === null ? "<3" : `${Math.round(d.mean * 100)}%`]))));
  const weekChart = chart("class-weeks-chart", t("weeksTitle"), {
    tooltip: {},
    grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: rep.weeks.map((w) => w.week) },
    yAxis: { type: "value", name: t("weekActive"), minInterval: 1 },
    series: [{ type: "bar", name: t("weekActive"), data: rep.weeks.map((w) => (w.active === null ? "-" : w.active)), itemStyle: { color: "#0f766e" } }],
  });
  out.push(h("section", { class: "card" }, weekChart, table("class-weeks", t("weeksTitle"),
    [t("weekCol"), t("weekActive"), t("weekAnswers"), t("weekMinutes")],
    rep.weeks.map((w) => [w.week, cell(w.active), w.answers === null ? "<3" : String(w.answers), w.minutes === null ? "<3" : String(Math.round(w.minutes))]))));
  if (r.refused.length) out.push(h("section", { class: "card" }, h("ul", {}, ...r.refused.map((x) => h("li", {}, t("classRefused", { file: x.file, reason: x.reason }))))));
  return out;
}

/** Settings → "My class": join with a class code, export the class summary for the teacher. */
export async function classCard(learner: Learner): Promise<HTMLElement> {
  const joined = await classApi.joined(learner.id);
  const code = h("input", { id: "join-code", autocomplete: "off", maxlength: 40, placeholder: "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX" });
  const out = h("p", { class: "muted", id: "class-card-result", "aria-live": "polite" });
  const list = h("div", { class: "goal-changer span-all" }, ...joined.map((m) => exportButton(learner, m.class, out)));
  const join = h("button", { type: "button", id: "join-class", onclick: () => void (async () => {
    try {
      const m = await classApi.join(learner.id, code.value);
      out.textContent = t("joined", { class: m.class });
      if (!joined.some((j) => j.class === m.class)) { joined.push(m); list.append(exportButton(learner, m.class, out)); }
    } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
  })() }, t("joinButton"));
  return h("section", { class: "card form-grid", id: "class-card" },
    h("h2", {}, t("joinTitle")), h("p", { class: "muted span-all" }, t("joinLead")),
    h("label", { for: "join-code" }, t("joinCode")), code, join, list, out);
}

function exportButton(learner: Learner, classId: string, out: HTMLElement): HTMLElement {
  return h("button", { type: "button", class: "export-summary", "data-class": classId, onclick: () => void (async () => {
    try { out.textContent = t("exportedSummary", { path: (await classApi.exportSummary(learner.id, classId)).path }); } catch (e) { showError(e); }
  })() }, t("exportSummary", { class: classId }));
}

export type { ClassInfo };
