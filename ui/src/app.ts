// The window's shared state and navigation. Screens live in their own modules and call `go`.
import { isAppError, type GoalPreview, type Learner, type Role, type Status, type TutorStatus } from "./ipc";
import { t, tr } from "./i18n";
import { clear, h } from "./dom";

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
  | { name: "notes" };

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
/** Leaves the current screen (running its leave hooks) and shows `screen`. */
export async function go(screen: Screen): Promise<void> {
  for (const f of leaveHooks.splice(0)) f();
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

export function showError(e: unknown): void {
  const message = isAppError(e) ? e.message : String(e);
  const details = isAppError(e) ? (e.details ?? []) : [];
  clear(view);
  view.append(
    h("section", { class: "card error", role: "alert", id: "error" },
      h("h2", {}, t("errorTitle")),
      h("p", {}, message),
      details.length ? h("ul", {}, ...details.map((d) => h("li", {}, h("code", {}, d)))) : null),
  );
}
