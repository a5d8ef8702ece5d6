// "Describe yourself" (issue #15): the learner's own words read into a proposed profile — shown as
// an editable "here is what I understood" that the learner confirms; nothing is applied before.
import { api, isAppError, type ConfirmedDescription, type Description, type Learner, type Term } from "../ipc";
import { t, tr } from "../i18n";
import { h } from "../dom";

function errorText(e: unknown): string {
  return isAppError(e) ? e.message : String(e);
}

function checks(name: string, all: Term[], chosen: Term[], legend: string): HTMLElement {
  const ids = new Set(chosen.map((c) => c.id));
  return h("fieldset", { class: "describe-field", id: `describe-${name}s` },
    h("legend", {}, legend),
    ...all.map((term) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: `describe-${name}`, value: term.id, checked: ids.has(term.id) }), " ", tr(term.title))));
}

function picked(box: HTMLElement, name: string): string[] {
  return [...box.querySelectorAll<HTMLInputElement>(`input[name="describe-${name}"]:checked`)].map((i) => i.value);
}

/** The editable proposal; `onSaved` runs after the learner confirmed it. */
function proposalView(d: Description, learner: Learner, onSaved: (c: ConfirmedDescription) => void): HTMLElement {
  const role = h("select", { id: "describe-role" },
    h("option", { value: "" }, t("describeNoRole")),
    ...d.choices.roles.map((r) => h("option", { value: r.id, selected: d.goal_role?.id === r.id }, tr(r.title))));
  const weekly = h("input", { id: "describe-weekly", type: "number", min: 10, max: 5040, step: 10, value: d.weekly_minutes ?? "" });
  const said = h("p", { class: "muted", id: "describe-result", "aria-live": "polite" });
  const box = h("div", { class: "describe-proposal", id: "describe-proposal", "data-by": d.by });
  const confirm = h("button", { type: "button", class: "primary", id: "describe-confirm" }, t("describeConfirm"));
  confirm.addEventListener("click", () => void (async () => {
    const minutes = weekly.value.trim() === "" ? null : Number(weekly.value);
    const c: ConfirmedDescription = {
      text: d.text,
      goal_role: role.value || null,
      platforms: picked(box, "platform"),
      markets: picked(box, "market"),
      claimed_modules: picked(box, "module"),
      weekly_minutes: minutes,
    };
    try {
      const saved = await api.confirmDescription(learner.id, c);
      said.textContent = t("describeSaved");
      onSaved(saved);
    } catch (e) { said.textContent = errorText(e); }
  })());
  const evidence = d.evidence.length
    ? h("ul", { class: "describe-evidence", id: "describe-evidence" },
      ...d.evidence.map((e) => h("li", {}, t("describeYouWrote", { phrase: e.phrase, what: termTitle(d, e.field, e.id) }))))
    : h("p", { class: "muted" }, t("describeNothingFound"));
  box.append(
    h("h3", {}, t("describeUnderstood")),
    h("p", { class: "muted" }, d.by === "model" ? t("describeByModel", { ms: d.ms }) : t("describeByKeywords", { ms: d.ms })),
    evidence,
    h("div", { class: "form-grid" },
      h("label", { for: "describe-role" }, t("describeRole")), role,
      h("label", { for: "describe-weekly" }, t("describeWeekly")), weekly),
    checks("platform", d.choices.platforms, d.platforms, t("describePlatforms")),
    checks("market", d.choices.markets, d.markets, t("describeMarkets")),
    checks("module", d.choices.modules, d.claimed_modules, t("describeModules")),
    h("p", { class: "muted" }, t("describeClaimNote")),
    confirm, said);
  return box;
}

function termTitle(d: Description, field: string, id: string): string {
  const list = field === "goal_role" ? d.choices.roles : field === "platform" ? d.choices.platforms : field === "market" ? d.choices.markets : d.choices.modules;
  const term = list.find((x) => x.id === id);
  return term ? tr(term.title) : id;
}

/** The "describe yourself" card (onboarding and Settings). */
export function describeCard(learner: Learner, confirmed: ConfirmedDescription | null, onSaved: (c: ConfirmedDescription) => void): HTMLElement {
  const area = h("textarea", { id: "describe-text", rows: 4, maxlength: 2000 });
  area.value = confirmed?.text ?? "";
  const result = h("div", { id: "describe-output", "aria-live": "polite" });
  const read = h("button", { type: "button", id: "describe-read" }, t("describeRead"));
  read.addEventListener("click", () => void (async () => {
    if (!area.value.trim()) { area.focus(); result.replaceChildren(h("p", { class: "error" }, t("describeEmpty"))); return; }
    read.disabled = true;
    result.replaceChildren(h("p", { class: "muted" }, t("describeReading")));
    try {
      const d = await api.describeYourself(area.value);
      result.replaceChildren(proposalView(d, learner, onSaved));
    } catch (e) {
      result.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(e)));
    } finally { read.disabled = false; }
  })());
  return h("section", { class: "card", id: "describe" },
    h("h2", {}, t("describeTitle")),
    h("label", { for: "describe-text" }, t("describeLabel")),
    area, read, result);
}
