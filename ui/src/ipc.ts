// Typed wrappers over the Tauri commands in src-tauri/src/commands. Mirrors
// crates/crossway-app/src/dto.rs and error.rs: keep the two in step.
import { invoke } from "@tauri-apps/api/core";

export type Locale = "en" | "zh-CN";
export interface Text { en: string; "zh-CN": string }

export type ErrorCode =
  | "not_found" | "invalid_input" | "pack_invalid" | "database_too_new"
  | "database_damaged" | "database_locked" | "io" | "internal";

export interface AppError { code: ErrorCode; message: string; details?: string[] }

export function isAppError(e: unknown): e is AppError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

export interface Learner {
  id: number; name: string; locale: Locale; goal_role: string | null;
  weekly_minutes: number; attempts: number;
}
export interface NewLearner { name: string; locale: Locale; goal_role: string | null; weekly_minutes: number }
export interface Role { id: string; title: Text; required_kps: number }
export interface Pack { id: string; version: string; title: Text; as_of: string; knowledge_points: number; items: number }
export type ModelStatus =
  | { state: "not_installed"; models_dir: string }
  | { state: "found"; file: string; bytes: number; name: string | null; quantization: string | null; licence: string | null; verified: boolean };
export interface Status { data_dir: string; database: string; packs: Pack[]; model: ModelStatus }

export type Reason =
  | { kind: "goal_requires"; role: string; level: number; threshold: number }
  | { kind: "prerequisite_of"; kps: string[] }
  | { kind: "prerequisite_mastered"; kp: string; p: number }
  | { kind: "mastery"; p: number; after_attempts: number; target: number }
  | { kind: "outside_goal" }
  | { kind: "struggling"; wrong_in_a_row: number }
  | { kind: "prerequisite_review"; for_kp: string; p: number }
  | { kind: "fact_changed"; facts: { fact: string; as_of: string | null }[] }
  | { kind: "recall_due"; p_recall: number }
  | { kind: "strong_record"; accuracy: number; answers: number };

export interface Step {
  kp: string; title: Text; module: Text; action: "learn" | "practice" | "remediate" | "review" | "refresh" | "test_out"; minutes: number;
  week: number; for_goal: boolean; mastery: number; reasons: Reason[]; kp_titles: [string, Text][];
}
export interface LearningPath {
  learner_id: number; goal_role: string | null; goal_title: Text | null;
  goal_minutes: number; weekly_minutes: number; steps: Step[];
}
export interface Item {
  id: string; kind: "choice" | "numeric" | "free_text"; stem: Text; options: Text[];
  unit: string | null; rubric_points: number;
}
export interface Source { id: string; title: string; urls: string[] }
export interface Fact { id: string; text: Text; source: string; as_of: string }
export interface Lesson {
  kp: string; title: Text; module: Text; minutes: number; html: Text; example_html: Text;
  discussion_html: Text; workshop_html: Text; facts: Fact[]; sources: Source[];
  as_of: string; items: Item[];
}
export type Answer =
  | { kind: "choice"; option: number }
  | { kind: "numeric"; value: number }
  | { kind: "free_text"; text: string };
export interface AttemptResult {
  attempt_id: number; duplicate: boolean; item_id: string; kp: string; correct: boolean;
  score: number; correct_answer: Text; error_cause: Text | null; explanation: Text | null;
  rubric: { text: Text; met: boolean }[]; grader: string; confidence: number | null;
  needs_review: boolean; mastery_before: number; mastery_after: number;
}
export interface PathDiff {
  added: string[]; dropped: string[]; moved: { kp: string; from: number; to: number }[];
  goal_minutes_before: number; goal_minutes_after: number;
}
export interface GoalPreview { diff: PathDiff; titles: [string, Text][] }
export interface GoalChange { learner: Learner; preview: GoalPreview }
export interface PlacementStep {
  asked: number; max: number; item: Item | null;
  summary: { known: number; unknown: number } | null;
}
export interface FactUpdate {
  kp: string; kp_title: Text; fact: Text | null; change: string; from_version: string;
  to_version: string; old_as_of: string | null; new_as_of: string | null; mastery: number;
}
export interface Attempt { id: number; item_id: string; kp: string; score: number; occurred_at: string }

export const api = {
  status: () => invoke<Status>("app_status"),
  roles: () => invoke<Role[]>("list_roles"),
  learners: () => invoke<Learner[]>("list_learners"),
  createLearner: (learner: NewLearner) => invoke<Learner>("create_learner", { learner }),
  exportLearner: (learner_id: number) => invoke<{ path: string; attempts: number; statements: number }>("export_learner", { learner_id }),
  deleteLearner: (learner_id: number) => invoke<null>("delete_learner", { learner_id }),
  previewGoal: (learner_id: number, role: string | null) => invoke<GoalPreview>("preview_goal", { learner_id, role }),
  setGoal: (learner_id: number, role: string | null) => invoke<GoalChange>("set_goal", { learner_id, role }),
  path: (learner_id: number) => invoke<LearningPath>("get_path", { learner_id }),
  lesson: (learner_id: number, kp: string) => invoke<Lesson>("get_lesson", { learner_id, kp }),
  submitAnswer: (learner_id: number, submission: { item_id: string; answer: Answer; idempotency_key: string }) =>
    invoke<AttemptResult>("submit_answer", { learner_id, submission }),
  attempts: (learner_id: number) => invoke<Attempt[]>("list_attempts", { learner_id }),
  industryUpdates: (learner_id: number) => invoke<FactUpdate[]>("industry_updates", { learner_id }),
  placementNext: (learner_id: number) => invoke<PlacementStep>("placement_next", { learner_id }),
  placementAnswer: (learner_id: number, answer: { item_id: string; answer: Answer | null; idempotency_key: string }) =>
    invoke<PlacementStep>("placement_answer", { learner_id, answer }),
};
