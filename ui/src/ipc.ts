// Typed wrappers over the Tauri commands in src-tauri/src/commands. Mirrors
// crates/crossway-app/src/dto.rs and error.rs: keep the two in step.
import { Channel, invoke } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";

export type Locale = "en" | "zh-CN";
export interface Text { en: string; "zh-CN": string }

export type ErrorCode =
  | "not_found" | "invalid_input" | "pack_invalid" | "database_too_new"
  | "database_damaged" | "database_locked" | "profile_locked" | "pin_wait"
  | "disk_full" | "read_only" | "data_folder" | "cancelled" | "teacher_only" | "io" | "internal";

export interface AppError { code: ErrorCode; message: string; details?: string[] }

export function isAppError(e: unknown): e is AppError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

export interface Learner {
  id: number; name: string; locale: Locale; goal_role: string | null;
  weekly_minutes: number; attempts: number; has_pin: boolean;
}
export interface NewLearner { name: string; locale: Locale; goal_role: string | null; weekly_minutes: number }
export interface Role { id: string; title: Text; required_kps: number }
export interface Changelog { version: string; date: string; notes: Text }
export interface Pack { id: string; version: string; title: Text; as_of: string; knowledge_points: number; items: number; simulations: number; changelog: Changelog[] }
export interface Install { pack: Pack; previous_version: string | null; changelog: Changelog[]; diff: unknown }
export type ModelStatus =
  | { state: "not_installed"; models_dir: string }
  | { state: "found"; file: string; bytes: number; name: string | null; quantization: string | null; licence: string | null; verified: boolean };
/** A backup of the database (crossway-app/src/recovery.rs). */
export interface Backup {
  file: string; path: string; taken: string | null; bytes: number;
  learners: number | null; answers: number | null; problem: string | null;
}
export interface DataProblem { error: AppError; data_dir: string; database: string; backups: Backup[]; set_aside_dir: string }
export interface Restored { restored_from: string | null; set_aside: string[] }
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
  | { kind: "strong_record"; accuracy: number; answers: number }
  | { kind: "short_steps"; persistence: number }
  | { kind: "method_works"; method: Method; rate: number; sessions: number }
  | { kind: "asked_often"; times: number; not_helpful: number }
  | { kind: "you_named"; named: Text[] };

export type Method = "read" | "example" | "practice" | "simulation" | "discussion" | "workshop";
export const METHODS: Method[] = ["read", "example", "practice", "simulation", "discussion", "workshop"];

export interface Step {
  kp: string; title: Text; module: Text; action: "learn" | "practice" | "remediate" | "review" | "refresh" | "test_out"; minutes: number;
  week: number; for_goal: boolean; mastery: number; reasons: Reason[]; kp_titles: [string, Text][];
  method: Method | null;
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
/** Why the model's explanation is not shown (crossway_app::explain_check::Withheld). */
export type Withheld = "empty" | "wrong_language" | "invented_numbers" | "contradiction" | "misstates_answer" | "copies_source" | "quotes_answer" | "unsupported" | "vague" | "echoes_prompt" | "too_long";
/** "Explain what is missing": the model's checked text, or why it was withheld. */
export interface Explanation { text: string | null; withheld: Withheld | null }
/** Why the model's answer to a question is not shown (crossway_tutor::checks::answer::AnswerWithheld). */
export type AnswerWithheld = "empty" | "wrong_language" | "invented_numbers" | "unsupported" | "echoes_prompt" | "repeats_question" | "too_long";
/** "Describe yourself" (crossway_app::describe). */
export interface Term { id: string; title: Text }
export type DescribeField = "goal_role" | "platform" | "market" | "claimed_module";
export interface Description {
  text: string; by: "model" | "keywords"; goal_role: Term | null; platforms: Term[]; markets: Term[]; claimed_modules: Term[];
  weekly_minutes: number | null; evidence: { field: DescribeField; id: string; phrase: string }[];
  choices: { roles: Term[]; platforms: Term[]; markets: Term[]; modules: Term[] }; ms: number;
}
export interface ConfirmedDescription { text: string; goal_role: string | null; platforms: string[]; markets: string[]; claimed_modules: string[]; weekly_minutes: number | null }
export interface AnswerVerdict { text: string | null; withheld: AnswerWithheld | null }

export interface AttemptResult {
  attempt_id: number; duplicate: boolean; item_id: string; kp: string; correct: boolean;
  score: number; correct_answer: Text; error_cause: Text | null; explanation: Text | null;
  /** `lesson`: for a missed point, the lesson's sentence that says most about it. */
  rubric: { text: Text; met: boolean; state: "met" | "missing" | "contradicted"; lesson: Text | null }[]; grader: string; confidence: number | null;
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
export interface TutorStatus { state: "none" | "loading" | "ready" | "failed"; model: string | null; message: string | null; load_ms: number | null; threads: number }
/** A model in the models folder (crates/crossway-tutor/src/lib.rs `ModelChoice`). */
export interface ModelChoice {
  file: string; name: string | null; role: string | null; bytes: number; ram_mib: number; available_mib: number | null;
  verified: boolean; about_en: string | null; about_zh: string | null; in_use: boolean; calibrated: boolean;
}
export interface PointEvent { index: number; state: "met" | "missing" | "contradicted"; p_met: number }
export interface Submission { item_id: string; answer: Answer; idempotency_key: string; seconds?: number }

// Assessment (crates/crossway-app/src/{simulations,assessment,feedback,dashboard}.rs).
export interface SimulationSummary { id: string; title: Text; kps: string[]; minutes: number; steps: number; best_score: number | null; runs: number }
export type Cell = string | Text;
export interface DataTable { id: string; caption: Text; columns: Text[]; rows: Cell[][] }
export interface SimStep { item: Item; kp: string; has_hint: boolean }
export interface SimulationRun {
  run_id: number; sim_id: string; title: Text; brief_html: Text; minutes: number; tables: DataTable[];
  steps: SimStep[]; answered: AttemptResult[]; hints_used: string[]; finished: boolean;
}
export interface SimulationResult {
  run_id: number; sim_id: string; title: Text; accuracy: number; efficiency: number; time_factor: number;
  hint_factor: number; score: number; minutes: number; fluent_minutes: number;
  steps: { step: string; kp: string; kp_title: Text; score: number | null; hint_used: boolean }[];
  improve: Text[];
}
export type Dimension = "knowledge" | "skill" | "attitude" | "teamwork";
export interface IndicatorPart { key: string; value: number | null; evidence: number }
export interface Indicator { dimension: Dimension; value: number | null; evidence: number; trend: number | null; parts: IndicatorPart[]; explanation: Text }
export interface MethodEstimate { method: Method; rate: number; sd: number; sessions: number; preferred: boolean; best_module: string | null; share: number }
export interface Blend {
  recommended: Method; basis: { kind: "measured" | "preference" | "default" }; methods: MethodEstimate[];
  reason: Text; preferred: Method[]; measured_sessions: number;
}
export interface FeedbackIn { kind: "rating" | "error_report" | "dispute"; target?: "lesson" | "item" | "method"; target_id?: string; attempt_id?: number; rating?: number; comment: string }
export interface Feedback { id: number; kind: string; target: string; target_id: string; attempt_id: number | null; rating: number | null; comment: string; created_at: string; new: boolean }
export interface GroupMember { learner_id: number; name: string; role: string; submitted: boolean; contribution: string | null; peer_rating: number | null }
export interface GroupTask { id: number; kp: string; kp_title: Text; title: string; prompt_html: Text; created_at: string; members: GroupMember[]; reviewed: number[] }
export interface NewGroupTask { kp: string; title: string; members: { learner_id: number; role: string }[] }
export interface PeerReviewIn { reviewee_id: number; contribution: number; quality: number; communication: number; comment: string }
export interface MapNode { kp: string; title: Text; module: string; mastery: number; attempts: number; required: boolean; state: "mastered" | "learning" | "not_started" }
export interface KnowledgeMap { nodes: MapNode[]; edges: [string, string][]; modules: [string, Text][] }
export interface Progress {
  modules: { module: string; title: Text; mastery: number; mastered: number; kps: number }[];
  weeks: { week: string; minutes: number }[]; minutes_this_week: number; weekly_minutes: number;
  streak_days: number; total_minutes: number; answers: number;
  indicators: { at: string; knowledge: number | null; skill: number | null; attitude: number | null; teamwork: number | null }[];
}
export interface Background { age_band: string | null; education: string | null; major: string | null; work_years: number | null; languages: string[] }
export interface Profile {
  learner: Learner; background: Background;
  described: { text: string; goal_role: Term | null; platforms: Term[]; markets: Term[]; claimed_modules: Term[]; weekly_minutes: number | null } | null;
  goal: { role: string; title: Text; requirements: { kp: string; title: Text; level: number; target: number; mastery: number; met: boolean }[]; readiness: number } | null;
  behaviour: { attempts: number; correct_share: number | null; knowledge_points_practised: number; active_days_last_14: number; last_active: string | null; questions_asked: number; questions_not_covered: number; asked_most: [string, Text, number][]; notes: number };
}

export type PassageKind = "lesson" | "example" | "discussion" | "workshop" | "fact" | "item";
export interface Passage { kp: string; kp_title: Text; kind: PassageKind; heading: string; text: string; source: { id: string; title: string } | null; as_of: string; score: number }
export interface AskResult { question_id: number | null; question: string; lang: Locale; covered: boolean; passages: Passage[]; kp: string | null; scope: string | null; answer: string | null; withheld: string | null; ms: number }
export interface Question { id: number; text: string; lang: Locale; covered: boolean; kp: string | null; scope: string | null; helpful: boolean | null; asked_at: string }
export interface Note { id: number; kp: string; kp_title: Text; body: string; html: string; created_at: string; updated_at: string }

export const api = {
  status: () => invoke<Status>("app_status"),
  dataProblem: () => invoke<DataProblem | null>("data_problem"),
  backups: () => invoke<Backup[]>("list_backups"),
  restoreBackup: (file: string) => invoke<Restored | null>("restore_backup", { file }),
  startFresh: () => invoke<Restored | null>("start_fresh"),
  retryOpen: () => invoke<Restored | null>("retry_open"),
  roles: () => invoke<Role[]>("list_roles"),
  learners: () => invoke<Learner[]>("list_learners"),
  createLearner: (learner: NewLearner) => invoke<Learner>("create_learner", { learner }),
  exportLearner: (learner_id: number) => invoke<{ path: string; attempts: number; statements: number }>("export_learner", { learner_id }),
  deleteLearner: (learner_id: number) => invoke<null>("delete_learner", { learner_id }),
  previewGoal: (learner_id: number, role: string | null) => invoke<GoalPreview>("preview_goal", { learner_id, role }),
  setGoal: (learner_id: number, role: string | null) => invoke<GoalChange>("set_goal", { learner_id, role }),
  path: (learner_id: number) => invoke<LearningPath>("get_path", { learner_id }),
  lesson: (learner_id: number, kp: string) => invoke<Lesson>("get_lesson", { learner_id, kp }),
  submitAnswer: (learner_id: number, submission: Submission) =>
    invoke<AttemptResult>("submit_answer", { learner_id, submission }),
  attempts: (learner_id: number) => invoke<Attempt[]>("list_attempts", { learner_id }),
  industryUpdates: (learner_id: number) => invoke<FactUpdate[]>("industry_updates", { learner_id }),
  placementNext: (learner_id: number) => invoke<PlacementStep>("placement_next", { learner_id }),
  placementAnswer: (learner_id: number, answer: { item_id: string; answer: Answer | null; idempotency_key: string }) =>
    invoke<PlacementStep>("placement_answer", { learner_id, answer }),
  tutorStatus: () => invoke<TutorStatus>("tutor_status"),
  /** Grades free text with the on-device model, each rubric point arriving on `onPoint` first. */
  submitFreeText: (learner_id: number, submission: Submission, run_id: number | null, onPoint: (p: PointEvent) => void) => {
    const on_point = new Channel<PointEvent>();
    on_point.onmessage = onPoint;
    return invoke<AttemptResult>("submit_free_text", { learner_id, submission, run_id, on_point });
  },
  /** Lets the on-device model read a free-text question, and the answer typed so far, ahead of
   * "Check" (fire and forget). */
  warmFreeText: (item_id: string, lang: string, typed: string) => invoke<boolean>("warm_free_text", { item_id, lang, typed }),
  /** The on-device model explains what a recorded free-text answer missed, piece by piece; the
   * result is the checked text, or why it was withheld. */
  explainAnswer: (learner_id: number, attempt_id: number, onPiece: (p: string) => void) => {
    const on_piece = new Channel<string>();
    on_piece.onmessage = onPiece;
    return invoke<Explanation>("explain_answer", { learner_id, attempt_id, on_piece });
  },
  simulations: (learner_id: number) => invoke<SimulationSummary[]>("list_simulations", { learner_id }),
  startSimulation: (learner_id: number, sim_id: string) => invoke<SimulationRun>("start_simulation", { learner_id, sim_id }),
  simulationRun: (learner_id: number, run_id: number) => invoke<SimulationRun>("get_simulation_run", { learner_id, run_id }),
  simulationHint: (learner_id: number, run_id: number, step_id: string) => invoke<Text>("simulation_hint", { learner_id, run_id, step_id }),
  answerSimulationStep: (learner_id: number, run_id: number, submission: Submission) =>
    invoke<AttemptResult>("answer_simulation_step", { learner_id, run_id, submission }),
  finishSimulation: (learner_id: number, run_id: number) => invoke<SimulationResult>("finish_simulation", { learner_id, run_id }),
  indicators: (learner_id: number) => invoke<Indicator[]>("get_indicators", { learner_id }),
  methodBlend: (learner_id: number) => invoke<Blend>("get_method_blend", { learner_id }),
  setMethodPreferences: (learner_id: number, methods: Method[]) => invoke<Method[]>("set_method_preferences", { learner_id, methods }),
  recordStudy: (learner_id: number, session: { kp: string; method: Method; seconds: number; idempotency_key: string }) =>
    invoke<boolean>("record_study", { learner_id, session }),
  sendFeedback: (learner_id: number, feedback: FeedbackIn) => invoke<Feedback>("send_feedback", { learner_id, feedback }),
  groupTasks: (learner_id: number) => invoke<GroupTask[]>("list_group_tasks", { learner_id }),
  createGroupTask: (task: NewGroupTask) => invoke<GroupTask>("create_group_task", { task }),
  submitContribution: (learner_id: number, task_id: number, text: string) => invoke<GroupTask>("submit_contribution", { learner_id, task_id, text }),
  peerReview: (learner_id: number, task_id: number, review: PeerReviewIn) => invoke<GroupTask>("peer_review", { learner_id, task_id, review }),
  knowledgeMap: (learner_id: number) => invoke<KnowledgeMap>("get_knowledge_map", { learner_id }),
  progress: (learner_id: number) => invoke<Progress>("get_progress", { learner_id }),
  profile: (learner_id: number) => invoke<Profile>("get_profile", { learner_id }),
  checkPin: (learner_id: number, pin: string) => invoke<boolean>("check_pin", { learner_id, pin }),
  lockLearner: (learner_id: number) => invoke<void>("lock_learner", { learner_id }),
  setPin: (learner_id: number, current: string | null, next: string | null) => invoke<boolean>("set_pin", { learner_id, current, new: next }),
  installPack: (path: string) => invoke<Install>("install_pack", { path }),
  listModels: () => invoke<ModelChoice[]>("list_models"),
  chooseModel: (file: string) => invoke<ModelChoice>("choose_model", { file }),
  /** Copies a `.gguf` into the models folder, `{copied, total}` arriving on `onProgress`. */
  importModel: (path: string, onProgress: (p: { copied: number; total: number }) => void) => {
    const on_progress = new Channel<{ copied: number; total: number }>();
    on_progress.onmessage = onProgress;
    return invoke<{ file: string; bytes: number; sha256: string; known_as: string | null }>("import_model", { path, on_progress });
  },
  cancelImport: () => invoke<void>("cancel_import"),
  describeYourself: (text: string) => invoke<Description>("describe_yourself", { text }),
  confirmDescription: (learner_id: number, description: ConfirmedDescription) =>
    invoke<ConfirmedDescription>("confirm_description", { learner_id, description }),
  description: (learner_id: number) => invoke<ConfirmedDescription | null>("get_description", { learner_id }),
  setBackground: (learner_id: number, background: Background) => invoke<Background>("set_background", { learner_id, background }),
  ask: (learner_id: number, question: string, kp: string | null) => invoke<AskResult>("ask_question", { learner_id, question, kp }),
  /** The on-device model's answer to a recorded question from the passages shown, piece by
   * piece; the result is the checked text, or why it was withheld (null: not covered or no model). */
  answerQuestion: (learner_id: number, question_id: number, onPiece: (p: string) => void) => {
    const on_piece = new Channel<string>();
    on_piece.onmessage = onPiece;
    return invoke<AnswerVerdict | null>("answer_question", { learner_id, question_id, on_piece });
  },
  rateAnswer: (learner_id: number, question_id: number, helpful: boolean) => invoke<null>("rate_answer", { learner_id, question_id, helpful }),
  questions: (learner_id: number) => invoke<Question[]>("list_questions", { learner_id }),
  notes: (learner_id: number, kp: string | null, search: string | null) => invoke<Note[]>("list_notes", { learner_id, kp, search }),
  addNote: (learner_id: number, kp: string, body: string) => invoke<Note>("add_note", { learner_id, kp, body }),
  editNote: (learner_id: number, note_id: number, body: string) => invoke<Note>("edit_note", { learner_id, note_id, body }),
  deleteNote: (learner_id: number, note_id: number) => invoke<null>("delete_note", { learner_id, note_id }),
};

/** The native file dialog (tauri-plugin-dialog, only `open` granted): a `.gguf` file, or null. */
export async function pickModelFile(title: string): Promise<string | null> {
  const picked = await open({ title, multiple: false, directory: false, filters: [{ name: "GGUF", extensions: ["gguf"] }] });
  return typeof picked === "string" ? picked : null;
}

/** The native folder dialog: a content pack's folder, or null. */
export async function pickFolder(title: string): Promise<string | null> {
  const picked = await open({ title, multiple: false, directory: true });
  return typeof picked === "string" ? picked : null;
}

// Classroom installs (issue #18): crossway-app/src/{teacher,class}.rs, crossway-core/src/class.rs.
export interface Teacher { name: string; unlocked: boolean }
export interface ClassInfo { id: string; name: string; code: string; pack: string; goal_roles: string[]; local_learners: boolean; summaries: number }
export interface Membership { class: string; pseudonym: string; joined_at: string }
export interface SummaryFile { path: string; class: string; pseudonym: string; kps: number; items: number }
export interface Refused { file: string; reason: string }
export interface SummaryImport { new: number; replaced: number; unchanged: number; refused: Refused[] }
/** A count of learners; null when it describes 1 or 2 learners (hidden). */
export type CountCell = number | null;
export interface ClassReport {
  class: string | null; class_name: string | null; pack: string; local: number; imported: number; ms: number;
  titles: Record<string, Text>; item_kp: Record<string, string>; refused: Refused[];
  report: {
    learners: number; min_cell: number; hidden: number; items_hidden: number;
    heatmap: { module: string; kp: string; counts: CountCell[] }[];
    readiness: { role: string; ready: CountCell; bins: CountCell[]; chose_it: CountCell }[];
    items: { item: string; learners: number; p_value: number | null; discrimination: number | null; dispute_rate: number | null; flags: { kind: string }[] }[];
    stuck: { kp: string; stuck: CountCell; asking: CountCell; wrong_answers: number | null; questions: number | null }[];
    indicators: { dimension: string; no_evidence: CountCell; bins: CountCell[]; mean: number | null }[];
    weeks: { week: string; active: CountCell; answers: number | null; minutes: number | null }[];
  };
}
export const classApi = {
  /** The class view opens in a window of its own, whose capability grants the teacher's commands only. */
  openWindow: () => invoke<void>("open_class_window"),
  teacher: () => invoke<Teacher | null>("teacher_status"),
  createTeacher: (name: string, pin: string) => invoke<Teacher>("create_teacher", { name, pin }),
  unlockTeacher: (pin: string) => invoke<boolean>("unlock_teacher", { pin }),
  lockTeacher: () => invoke<void>("lock_teacher"),
  createClass: (name: string, goal_roles: string[], local_learners: boolean) => invoke<ClassInfo>("create_class", { name, goal_roles, local_learners }),
  classes: () => invoke<ClassInfo[]>("list_classes"),
  report: (class_id: string) => invoke<ClassReport>("class_report", { class_id }),
  importSummaries: (class_id: string, path: string) => invoke<SummaryImport>("import_summaries", { class_id, path }),
  join: (learner_id: number, code: string) => invoke<Membership>("join_class", { learner_id, code }),
  joined: (learner_id: number) => invoke<Membership[]>("learner_classes", { learner_id }),
  exportSummary: (learner_id: number, class_id: string) => invoke<SummaryFile>("export_class_summary", { learner_id, class_id }),
};
