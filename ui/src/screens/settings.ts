// Settings: language, the learner's background and method preferences, the model, content packs,
// backups, and the learner's data (export, delete).
import { api, isAppError, pickFolder, pickModelFile, METHODS, type Background, type Learner, type Method, type ModelChoice } from "../ipc";
import { getLocale, methodName, setLocale, t, tr } from "../i18n";
import { h } from "../dom";
import { go, restart, showError, state, view } from "../app";
import { backupsCard } from "./recovery";
import { describeCard } from "./describe";
import { classCard } from "./classroom";

const AGE_BANDS = ["under-18", "18-24", "25-34", "35-44", "45+"];
const EDUCATION = ["secondary", "vocational", "bachelor", "master", "doctorate", "other"];

export async function renderSettings(): Promise<void> {
  const learner = state.learner!;
  const [status, profile, blend, described, myClass] = await Promise.all([api.status(), api.profile(learner.id), api.methodBlend(learner.id), api.description(learner.id), classCard(learner)]);
  state.status = status;
  view.replaceChildren(
    h("h1", { id: "settings-title", tabindex: -1 }, t("settingsTitle")),
    languageCard(),
    describeCard(learner, described, () => void refreshLearner()),
    backgroundCard(learner, profile.background),
    preferencesCard(learner, blend.preferred),
    pinCard(learner),
    myClass,
    modelCard(),
    packsCard(),
    backupsCard(status.data_dir, async (r) => {
      localStorage.removeItem("crossway.learner");
      await restart(r);
    }),
    myData(learner),
  );
}

function languageCard(): HTMLElement {
  const select = h("select", { id: "settings-locale" },
    h("option", { value: "zh-CN", selected: getLocale() === "zh-CN" }, "简体中文"),
    h("option", { value: "en", selected: getLocale() === "en" }, "English"));
  select.addEventListener("change", () => {
    setLocale(select.value as "en" | "zh-CN");
    void go({ name: "settings" });
  });
  return h("section", { class: "card form-grid" }, h("h2", {}, t("language")), h("label", { for: "settings-locale" }, t("language")), select);
}

export function backgroundCard(learner: Learner, b: Background): HTMLElement {
  const out = h("p", { class: "muted", "aria-live": "polite" });
  const age = h("select", { id: "bg-age" }, h("option", { value: "" }, t("notSaying")),
    ...AGE_BANDS.map((a) => h("option", { value: a, selected: b.age_band === a }, a)));
  const edu = h("select", { id: "bg-education" }, h("option", { value: "" }, t("notSaying")),
    ...EDUCATION.map((e) => h("option", { value: e, selected: b.education === e }, t(`edu_${e}` as "edu_other"))));
  const major = h("input", { id: "bg-major", maxlength: 80, value: b.major ?? "" });
  const years = h("input", { id: "bg-years", type: "number", min: 0, max: 60, value: b.work_years ?? "" });
  const langs = h("input", { id: "bg-languages", maxlength: 200, value: b.languages.join(", ") });
  const form = h("form", { class: "card form-grid", id: "background-form" },
    h("h2", {}, t("backgroundTitle")),
    h("p", { class: "muted" }, t("backgroundLead")),
    h("label", { for: "bg-age" }, t("ageBand")), age,
    h("label", { for: "bg-education" }, t("education")), edu,
    h("label", { for: "bg-major" }, t("major")), major,
    h("label", { for: "bg-years" }, t("workYears")), years,
    h("label", { for: "bg-languages" }, t("languagesSpoken")), langs,
    h("button", { type: "submit", class: "primary", id: "save-background" }, t("save")), out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      try {
        await api.setBackground(learner.id, {
          age_band: age.value || null,
          education: edu.value || null,
          major: major.value.trim() || null,
          work_years: years.value === "" ? null : Number(years.value),
          languages: langs.value.split(/[,，、]/).map((x) => x.trim()).filter(Boolean),
        });
        out.textContent = t("saved_");
      } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
    })();
  });
  return form;
}

export function preferencesCard(learner: Learner, preferred: Method[]): HTMLElement {
  const out = h("p", { class: "muted", "aria-live": "polite" });
  const boxes = METHODS.map((m) => h("input", { type: "checkbox", id: `pref-${m}`, value: m, checked: preferred.includes(m) }));
  return h("section", { class: "card", id: "method-preferences" },
    h("h2", {}, t("prefsTitle")),
    h("p", { class: "muted" }, t("prefsLead")),
    h("fieldset", {}, h("legend", {}, t("prefsLegend")),
      ...METHODS.map((m, i) => h("div", { class: "choice-option" }, boxes[i], h("label", { for: `pref-${m}` }, methodName(m))))),
    h("button", { type: "button", id: "save-preferences", onclick: () => void (async () => {
      try {
        await api.setMethodPreferences(learner.id, boxes.filter((b) => b.checked).map((b) => b.value as Method));
        out.textContent = t("saved_");
      } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
    })() }, t("save")),
    out);
}

export function pinCard(learner: Learner): HTMLElement {
  const out = h("p", { class: "muted", "aria-live": "polite", id: "pin-result" });
  const current = h("input", { id: "pin-current", type: "password", inputmode: "numeric", maxlength: 8, autocomplete: "off" });
  const next = h("input", { id: "pin-new", type: "password", inputmode: "numeric", maxlength: 8, autocomplete: "off" });
  const apply = (value: string | null) => void (async () => {
    try {
      const has = await api.setPin(learner.id, current.value || null, value);
      learner.has_pin = has;
      out.textContent = has ? t("pinSet") : t("pinRemoved");
      current.value = "";
      next.value = "";
    } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
  })();
  return h("section", { class: "card", id: "pin-settings" },
    h("h2", {}, t("pinTitle")),
    h("p", { class: "muted" }, t("pinLead")),
    learner.has_pin ? h("label", { for: "pin-current" }, t("pinCurrent")) : null, learner.has_pin ? current : null,
    h("label", { for: "pin-new" }, t("pinNew")), next,
    h("div", { class: "goal-changer" },
      h("button", { type: "button", id: "save-pin", onclick: () => apply(next.value) }, t("pinSave")),
      learner.has_pin ? h("button", { type: "button", id: "remove-pin", onclick: () => apply(null) }, t("pinRemove")) : null),
    out);
}

function modelCard(): HTMLElement {
  const m = state.status!.model;
  const out = h("p", { class: "muted", "aria-live": "polite", id: "model-import-result" });
  const path = h("input", { id: "model-path", placeholder: "/home/…/model.gguf" });
  // Progress of a running import (bytes copied and checked) and the button that stops it.
  const bar = h("progress", { id: "model-import-progress", "aria-label": t("modelImportProgress"), max: 1, value: 0 }) as HTMLProgressElement;
  bar.hidden = true;
  const cancel = h("button", { type: "button", id: "cancel-import", onclick: () => void api.cancelImport() }, t("modelImportCancel"));
  cancel.hidden = true;
  const lines = m.state === "not_installed"
    ? [h("p", {}, t("modelNone"))]
    : [
        h("p", {}, `${m.name ?? m.file}`),
        h("ul", {},
          h("li", {}, t("modelFile", { file: m.file })),
          h("li", {}, t("modelSize", { mib: Math.round(m.bytes / 1048576) })),
          m.quantization ? h("li", {}, t("modelQuant", { q: m.quantization })) : null,
          m.licence ? h("li", {}, t("modelLicence", { l: m.licence })) : null,
          h("li", { id: "model-checksum" }, m.verified ? t("checksumOk") : t("checksumUnknown"))),
      ];
  return h("section", { class: "card", id: "model-settings" },
    h("h2", {}, t("modelTitle")),
    ...lines,
    state.tutor && state.tutor.state !== "none"
      ? h("p", { id: "tutor-settings-status" }, t(state.tutor.state === "loading" ? "tutorLoading" : state.tutor.state === "ready" ? "tutorReady" : "tutorFailed",
          { model: state.tutor.model ?? "", message: state.tutor.message ?? "", threads: state.tutor.threads, ms: state.tutor.load_ms ?? 0 }))
      : null,
    h("p", { class: "notice" }, t("modelNotWired")),
    modelChoices(),
    h("label", { for: "model-path" }, t("modelImport")), path,
    // The native file dialog fills the path and imports; the typed path stays for keyboards and tests.
    h("button", { type: "button", id: "pick-model", onclick: () => void (async () => {
      const picked = await pickModelFile(t("modelPick"));
      if (picked === null) return;
      path.value = picked;
      (document.getElementById("import-model") as HTMLButtonElement).click();
    })() }, t("modelPick")),
    h("button", { type: "button", id: "import-model", onclick: (ev: Event) => void (async () => {
      const start = ev.currentTarget as HTMLButtonElement;
      out.textContent = t("working");
      bar.value = 0;
      bar.hidden = false;
      cancel.hidden = false;
      start.disabled = true;
      try {
        const r = await api.importModel(path.value, (p) => {
          bar.max = Math.max(p.total, 1);
          bar.value = p.copied;
          out.textContent = t("modelImporting", { done: Math.round(p.copied / 1048576), total: Math.round(p.total / 1048576) });
        });
        out.textContent = t("modelImported", { file: r.file, mib: Math.round(r.bytes / 1048576), sha: r.sha256.slice(0, 12), known: r.known_as ?? t("modelUnknown") });
        state.status = await api.status();
      } catch (e) {
        out.textContent = isAppError(e) && e.code === "cancelled" ? t("modelImportCancelled") : isAppError(e) ? e.message : String(e);
      } finally {
        cancel.hidden = true;
        start.disabled = false;
      }
    })() }, t("modelImportButton")),
    cancel, bar, out);
}

/** The models in the models folder: size, memory need, measured speed and quality in words, and
 * a button to use another one (checked against free memory by the app before it is loaded). */
function modelChoices(): HTMLElement {
  const list = h("ul", { id: "model-choices", class: "choices" });
  const out = h("p", { class: "muted", "aria-live": "polite", id: "model-choice-result" });
  const render = (models: ModelChoice[]) => {
    list.replaceChildren(...models.map((m) => {
      const about = getLocale() === "zh-CN" ? m.about_zh : m.about_en;
      const facts = [
        t("modelSize", { mib: Math.round(m.bytes / 1048576) }),
        t("modelRam", { mib: m.ram_mib }),
        m.available_mib !== null && m.available_mib < m.ram_mib ? t("modelTooBig", { mib: m.available_mib }) : null,
        m.calibrated ? null : t("modelUncalibrated"),
      ].filter((x): x is string => x !== null);
      return h("li", { "data-file": m.file },
        h("strong", {}, m.name ?? m.file), m.in_use ? h("span", { class: "badge" }, " " + t("modelInUse")) : null,
        h("p", { class: "muted" }, facts.join(" · ")),
        about ? h("p", {}, about) : null,
        m.in_use ? null : h("button", { type: "button", class: "choose-model", onclick: () => void (async () => {
          out.textContent = t("working");
          try {
            const c = await api.chooseModel(m.file);
            out.textContent = t("modelChosen", { model: c.name ?? c.file });
            state.status = await api.status();
            render(await api.listModels());
          } catch (e) { out.textContent = isAppError(e) ? e.message : String(e); }
        })() }, t("modelUse")));
    }));
  };
  void api.listModels().then(render).catch((e) => { out.textContent = isAppError(e) ? e.message : String(e); });
  return h("div", {}, h("h3", {}, t("modelChoices")), list, out);
}

function packsCard(): HTMLElement {
  const out = h("div", { "aria-live": "polite", id: "pack-install-result" });
  const path = h("input", { id: "pack-path", placeholder: "/home/…/cbec-core" });
  return h("section", { class: "card", id: "pack-settings" },
    h("h2", {}, t("packsTitle")),
    ...state.status!.packs.map((p) => h("article", { class: "pack", "data-pack": p.id },
      h("h3", {}, `${tr(p.title)} ${p.version}`),
      h("p", { class: "muted" }, t("packMeta", { date: p.as_of, kps: p.knowledge_points, items: p.items, sims: p.simulations })),
      h("details", {}, h("summary", {}, t("changelog")),
        h("ul", {}, ...p.changelog.map((c) => h("li", {}, h("strong", {}, `${c.version} (${c.date})`), " ", tr(c.notes))))))),
    h("label", { for: "pack-path" }, t("packInstall")), path,
    h("button", { type: "button", id: "pick-pack", onclick: () => void (async () => {
      const picked = await pickFolder(t("packPick"));
      if (picked === null) return;
      path.value = picked;
      (document.getElementById("install-pack") as HTMLButtonElement).click();
    })() }, t("packPick")),
    h("button", { type: "button", id: "install-pack", onclick: () => void (async () => {
      out.replaceChildren(h("p", {}, t("working")));
      try {
        const r = await api.installPack(path.value);
        out.replaceChildren(
          h("p", { role: "status" }, t("packInstalled", { title: tr(r.pack.title), version: r.pack.version, from: r.previous_version ?? "—" })),
          h("ul", {}, ...r.changelog.map((c) => h("li", {}, `${c.version}: ${tr(c.notes)}`))));
        state.status = await api.status();
      } catch (e) {
        const details = isAppError(e) ? (e.details ?? []) : [];
        out.replaceChildren(h("p", { role: "alert" }, isAppError(e) ? e.message : String(e)),
          details.length ? h("ul", {}, ...details.slice(0, 20).map((d) => h("li", {}, h("code", {}, d)))) : "");
      }
    })() }, t("packInstallButton")),
    out);
}

/** Export everything, or delete the learner (a second click confirms). */
export function myData(learner: Learner): HTMLElement {
  const out = h("p", { class: "muted", id: "data-result", "aria-live": "polite" });
  let armed = false;
  const del = h("button", { type: "button", id: "delete-learner" }, t("deleteLearner"));
  del.addEventListener("click", () => void (async () => {
    if (!armed) {
      armed = true;
      del.textContent = t("confirmDelete", { name: learner.name });
      return;
    }
    try {
      await api.deleteLearner(learner.id);
      state.learner = null;
      localStorage.removeItem("crossway.learner");
      await go({ name: "learners" });
    } catch (e) { showError(e); }
  })());
  return h("details", { class: "card my-data" },
    h("summary", {}, t("myData")),
    h("p", { class: "muted" }, t("myDataLead")),
    h("div", { class: "goal-changer" },
      h("button", { type: "button", id: "export-data", onclick: () => void (async () => {
        try {
          const r = await api.exportLearner(learner.id);
          out.textContent = t("exported", { n: r.attempts, path: r.path });
        } catch (e) { showError(e); }
      })() }, t("exportData")),
      del),
    out);
}


/** Right after a learner is created: background, method preferences, an optional PIN, and the
 * choice between a placement check and the path. Everything is optional. */
export async function renderOnboarding(): Promise<void> {
  const learner = state.learner!;
  const [profile, described] = await Promise.all([api.profile(learner.id), api.description(learner.id)]);
  view.replaceChildren(
    h("section", { class: "card", id: "onboarding" },
      h("h1", { id: "onboarding-title", tabindex: -1 }, t("onboardingTitle", { name: learner.name })),
      h("p", { class: "muted" }, t("onboardingLead")),
      h("div", { class: "goal-changer" },
        learner.goal_role ? h("button", { type: "button", class: "primary", id: "onboarding-placement", onclick: () => void go({ name: "placement" }) }, t("placementStart")) : null,
        h("button", { type: "button", id: "onboarding-done", class: learner.goal_role ? "" : "primary", onclick: () => void go({ name: "path" }) }, t("onboardingDone")))),
    describeCard(learner, described, () => void (async () => { await refreshLearner(); await go({ name: "onboarding" }); })()),
    backgroundCard(learner, profile.background),
    preferencesCard(learner, []),
    pinCard(learner),
  );
  (document.getElementById("onboarding-title") as HTMLElement).focus();
}

/** The learner again (a confirmed description may have set the goal and weekly time). */
async function refreshLearner(): Promise<void> {
  const learners = await api.learners();
  const fresh = learners.find((l) => l.id === state.learner!.id);
  if (fresh) state.learner = fresh;
}
