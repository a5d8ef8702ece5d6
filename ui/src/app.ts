// The window's shared state and navigation. Screens live in their own modules and call `go`.
import { isAppError, type DataProblem, type GoalPreview, type Learner, type Restored, type Role, type Status, type TutorStatus } from "./ipc";
import { t, tr } from "./i18n";
import { clear, h, withCode } from "./dom";

export const view = document.getElementById("view") as HTMLElement;

export type Screen =
  | { name: "learners" }
  | { name: "path" }
  | { name: "lesson"; kp: string; start?: string }
  | { name: "placement" }
  | { name: "simulations" }
  | { name: "simulation"; runId: number }
  | { name: "progress" }
  | { name: "groups" }
  | { name: "settings" }
  | { name: "onboarding" }
  | { name: "notes" }
  /** The teacher's class view (no learner needed; issue #18). */
  | { name: "class" }
  /** The database cannot be used: what happened and the backups, instead of every other screen. */
  | { name: "data"; problem: DataProblem };

interface State {
  status: Status | null;
  roles: Role[];
  learner: Learner | null;
  screen: Screen;
  /** Shown once on the path screen right after a goal change. */
  lastGoalChange: GoalPreview | null;
  /** The on-device model: loading in the background, ready, failed, or none. */
  tutor: TutorStatus | null;
}
export const state: State = { status: null, roles: [], learner: null, screen: { name: "learners" }, lastGoalChange: null, tutor: null };

let renderer: () => Promise<void> = async () => {};
/** Set once by main.ts. */
export function setRenderer(r: () => Promise<void>): void {
  renderer = r;
}
let restarter: (r: Restored | null) => Promise<void> = async () => {};
/** Set once by main.ts: loads everything again (after a backup was restored). */
export function setRestarter(r: (r: Restored | null) => Promise<void>): void {
  restarter = r;
}
export function restart(r: Restored | null): Promise<void> {
  return restarter(r);
}
/** Leaves the current screen (running its leave hooks) and shows `screen`. */
export async function go(screen: Screen): Promise<void> {
  for (const f of leaveHooks.splice(0)) f();
  clearNotice();
  state.screen = screen;
  await renderer();
}
const leaveHooks: (() => void)[] = [];
/** Runs once when the learner leaves the current screen (e.g. to record study time). */
export function onLeave(f: () => void): void {
  leaveHooks.push(f);
}

export function roleTitle(id: string | null): string {
  const role = state.roles.find((r) => r.id === id);
  return role ? tr(role.title) : (id ?? "");
}

/** An error in the learner's language where its code says what happened and what to do; the
 *  app's own message otherwise. */
export function errorText(e: unknown): string {
  if (!isAppError(e)) return String(e);
  const file = e.details?.[0] ?? "";
  switch (e.code) {
    case "disk_full": return t("errDiskFull");
    case "read_only": return t("errReadOnly", { file });
    case "database_locked": return t("errLocked", { file });
    case "data_folder": return t("errDataFolder", { file });
    case "database_damaged": return t("errDamaged", { file });
    case "database_too_new": return t("errTooNew", { file });
    default: return e.message;
  }
}

/** Errors after which the screen is still right (nothing was saved, nothing was lost): said in a
 *  banner above it, so what the learner typed stays. */
function keepsScreen(e: unknown): boolean {
  return isAppError(e) && (e.code === "disk_full" || e.code === "read_only" || e.code === "database_locked");
}

/** Shows `text` in the banner above the screen (cleared by the next screen change). */
export function showNotice(text: string, kind: "error" | "info" = "error", paths: string[] = []): void {
  let notice = document.getElementById("notice");
  if (!notice) {
    notice = h("div", { id: "notice" });
    view.before(notice);
  }
  notice.className = kind === "error" ? "card error" : "card info";
  notice.setAttribute("role", kind === "error" ? "alert" : "status");
  notice.replaceChildren(h("p", {}, ...withCode(text, paths)));
  notice.hidden = false;
}

export function clearNotice(): void {
  const notice = document.getElementById("notice");
  if (notice) notice.hidden = true;
}

export function showError(e: unknown): void {
  if (keepsScreen(e)) {
    showNotice(errorText(e), "error", isAppError(e) ? (e.details ?? []) : []);
    return;
  }
  const message = errorText(e);
  const localized = isAppError(e) && message !== e.message;
  // A localized message already names the file; the app's own text stays one click away.
  const details = isAppError(e) && !localized ? (e.details ?? []) : [];
  clear(view);
  view.append(
    h("section", { class: "card error", role: "alert", id: "error" },
      h("h2", {}, t("errorTitle")),
      h("p", {}, ...withCode(message, isAppError(e) ? (e.details ?? []) : [])),
      details.length ? h("ul", {}, ...details.map((d) => h("li", {}, h("code", {}, d)))) : null,
      localized ? technical(e.message) : null),
  );
}

/** The app's own (English) message, folded away, for a bug report or a helper. */
export function technical(message: string): HTMLElement {
  return h("details", { class: "technical" }, h("summary", {}, t("dataTechnical")), h("code", {}, message));
}
