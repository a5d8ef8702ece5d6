// The data folder's problems (shown instead of every other screen when the database cannot be
// opened) and the backups card in Settings. Restoring is one action: the current file is set
// aside by Rust (crossway-app/src/recovery.rs), never deleted.
import { api, isAppError, type Backup, type DataProblem, type Restored } from "../ipc";
import { getLocale, t } from "../i18n";
import { h, withCode } from "../dom";
import { errorText, technical, view } from "../app";

function size(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function when(b: Backup): string {
  return b.taken ? new Date(b.taken).toLocaleString(getLocale()) : b.file;
}

function backupLine(b: Backup): string {
  return t("dataBackupLine", { date: when(b), learners: b.learners ?? "?", answers: b.answers ?? "?", size: size(b.bytes) });
}

/** The screen shown when the database cannot be used; `reopened` runs once it opens again. */
export function renderDataProblem(problem: DataProblem, reopened: (r: Restored | null) => Promise<void>): void {
  const code = problem.error.code;
  const out = h("p", { id: "recovery-result", role: "status", "aria-live": "polite" });
  const busy = (on: boolean) => view.querySelectorAll("button").forEach((b) => { b.disabled = on; });
  const act = (run: () => Promise<Restored | null>) => async () => {
    busy(true);
    out.textContent = t("dataRestoring");
    try {
      await reopened(await run());
    } catch (e) {
      // Still not open: show the new state of things (the backups may have changed).
      const again = await api.dataProblem().catch(() => null);
      if (again) renderDataProblem(again, reopened);
      const result = document.getElementById("recovery-result");
      if (result) result.textContent = errorText(e);
      busy(false);
    }
  };
  const setAside = problem.set_aside_dir;
  const steps: (Node | string)[][] = [];
  const paths = [problem.set_aside_dir, `${problem.data_dir}/backups`, problem.database, ...(problem.error.details ?? [])];
  if (code === "database_damaged" || code === "database_too_new") {
    if (problem.backups.some((b) => b.problem === null)) steps.push(withCode(t("dataDoRestore", { dir: setAside }), paths));
    if (code === "database_too_new") steps.push([t("dataDoUpdate")]);
    steps.push(withCode(t("dataDoFresh", { dir: setAside }), paths));
  } else {
    steps.push([t("dataDoFix")]);
  }
  const fresh = h("button", { type: "button", id: "data-fresh" }, t("dataFresh"));
  fresh.addEventListener("click", () => {
    fresh.replaceWith(h("button", { type: "button", id: "data-fresh-confirm", class: "danger", onclick: act(() => api.startFresh()) }, t("dataFreshConfirm")));
  });
  const offerFresh = code === "database_damaged" || code === "database_too_new";
  view.replaceChildren(
    h("section", { class: "card error", role: "alert", id: "data-problem", "data-code": code },
      h("h1", { id: "data-title", tabindex: -1 }, t("dataTitle")),
      h("p", { id: "data-what" }, ...withCode(errorText(problem.error), paths)),
      technical(problem.error.message)),
    h("section", { class: "card" },
      h("h2", {}, t("dataWhatToDo")),
      h("ul", {}, ...steps.map((s) => h("li", {}, ...s))),
      h("p", { class: "actions" },
        h("button", { type: "button", id: "data-retry", onclick: act(() => api.retryOpen()) }, t("dataRetry")),
        offerFresh ? fresh : null),
      out),
    h("section", { class: "card", id: "data-backups" },
      h("h2", {}, t("dataBackups")),
      problem.backups.length
        ? h("ul", { class: "backups" }, ...problem.backups.map((b) => h("li", { "data-file": b.file },
            h("span", {}, backupLine(b)), " ", h("code", {}, b.path), " ",
            b.problem === null
              ? h("button", { type: "button", class: "restore", onclick: act(() => api.restoreBackup(b.file)) }, t("dataRestore"))
              : h("span", { class: "hint" }, t("dataBackupUnusable", { why: b.problem })))))
        : h("p", { class: "muted" }, ...withCode(t("dataNoBackups", { dir: `${problem.data_dir}/backups` }), paths))),
  );
  (document.getElementById("data-title") as HTMLElement).focus();
}

/** Settings: the backups there are, each restorable after a confirmation (the open database is
 *  closed, set aside and replaced; the window then starts again from the learners list). */
export function backupsCard(dataDir: string, restored: (r: Restored | null) => Promise<void>): HTMLElement {
  const list = h("ul", { class: "backups", id: "settings-backups" });
  const out = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  void api.backups().then((backups) => {
    list.replaceChildren(...backups.map((b) => {
      const li = h("li", { "data-file": b.file }, h("span", {}, backupLine(b)), " ");
      if (b.problem !== null) {
        li.append(h("span", { class: "hint" }, t("dataBackupUnusable", { why: b.problem })));
        return li;
      }
      const restore = h("button", { type: "button", class: "restore" }, t("dataRestore"));
      restore.addEventListener("click", () => {
        restore.replaceWith(h("button", { type: "button", class: "danger restore-confirm", onclick: async (ev: Event) => {
          (ev.target as HTMLButtonElement).disabled = true;
          try {
            await restored(await api.restoreBackup(b.file));
          } catch (e) {
            out.textContent = errorText(e);
          }
        } }, t("backupsConfirm", { date: when(b) })));
      });
      li.append(restore);
      return li;
    }));
    if (!backups.length) out.replaceChildren(...withCode(t("dataNoBackups", { dir: `${dataDir}/backups` }), [`${dataDir}/backups`]));
  }).catch((e: unknown) => { out.textContent = isAppError(e) ? errorText(e) : String(e); });
  return h("section", { class: "card", id: "backups-card" },
    h("h2", {}, t("backupsTitle")),
    h("p", { class: "muted" }, ...withCode(t("backupsLead", { dir: `${dataDir}/backups` }), [`${dataDir}/backups`, "set-aside"])),
    list, out);
}

/** The sentence shown once after a restore. */
export function restoredText(r: Restored | null): string | null {
  if (!r || !r.restored_from) return null;
  return t("dataRestored", { file: r.restored_from, kept: r.set_aside[0] ?? "" });
}
