// Every learner-facing string in both languages. `zh` is typed against `en`, so a missing or
// extra key fails `npm run check` (and so the build and the test command).
import type { Locale, Method, Reason, Text } from "./ipc";
import { dashEn, dashZh } from "./i18n/dash";
import { simsEn, simsZh } from "./i18n/sims";
import { wordsEn, wordsZh } from "./i18n/words";
import { dataEn, dataZh } from "./i18n/data";
import { classEn, classZh } from "./i18n/class";

const baseEn = {
  switchLanguage: "中文",
  switchLanguageLabel: "切换到中文",
  switchLearner: "Switch learner",
  welcomeTitle: "Who is studying?",
  welcomeLead: "Crossway keeps each learner's progress on this computer only.",
  noLearners: "No learners yet. Create the first one below.",
  continueAs: "Continue",
  newLearner: "New learner",
  name: "Name",
  goalRole: "Goal role",
  noGoal: "No goal yet (explore everything)",
  weeklyMinutes: "Study time per week (minutes)",
  language: "Language",
  create: "Create and start",
  pathTitle: "Your learning path",
  pathGoal: "Goal: {goal}",
  pathNoGoal: "No goal chosen: all topics, in order.",
  pathSummary: "{minutes} minutes of study left for your goal, at {weekly} minutes a week.",
  changeGoal: "Change goal",
  saveGoal: "Save goal",
  week: "Week {n}",
  actionLearn: "Learn",
  actionPractice: "Practice",
  optional: "Optional",
  forGoal: "For your goal",
  minutes: "{n} min",
  mastery: "Mastery {p}%",
  why: "Why this step?",
  openLesson: "Open lesson",
  emptyPath: "You have reached every target of your goal. Pick a new goal or keep practising.",
  back: "Back to path",
  asOf: "Facts last checked {date}",
  sourcesTitle: "Sources (check them for the latest figures)",
  methods: "Ways to learn this topic",
  tabLesson: "Read",
  tabExample: "Worked example",
  tabDiscussion: "Discussion",
  tabWorkshop: "Workshop card",
  printWorkshop: "Print this card",
  factsTitle: "Facts that can change",
  factMeta: "(source {source}, checked {date})",
  practice: "Practice",
  check: "Check answer",
  yourAnswer: "Your answer",
  numberIn: "Number in {unit}",
  correct: "Correct",
  incorrect: "Not quite",
  correctAnswer: "Correct answer: {answer}",
  referenceAnswer: "Reference answer: {answer}",
  errorCause: "Likely cause: {cause}",
  explanation: "Why: {text}",
  masteryChange: "Mastery of this topic: {before}% → {after}%",
  saved: "Saved as attempt #{id}.",
  alreadySaved: "Already saved as attempt #{id} (not counted twice).",
  attemptsSoFar: "Attempts so far: {n}",
  pickOption: "Choose an option first.",
  enterNumber: "Enter a number first.",
  enterText: "Write an answer first.",
  rubricMet: "✓ met",
  rubricMissed: "✗ missing",
  rubricContradicted: "✗ contradicted",
  keywordGrader: "Checked without an AI model: each point by keyword matching on the words you used (Chinese by character pairs) together with how close your answer is to the reference, calibrated on hand-marked answers; the score follows from the points — a rough check, not a final grade.",
  needsReview: "Low confidence: treat this grade as needing review.",
  modelNone: "No AI model installed: free-text answers get a keyword check. Multiple-choice and numeric answers are graded exactly.",
  modelFound: "AI model: {name} ({details}), {check}. Free-text answers are still checked by keyword matching here: the model's grades are not calibrated yet.",
  checksumOk: "checksum verified",
  checksumUnknown: "checksum not verified",
  packLine: "Content: {title} {version}, facts last checked {date}",
  loading: "Loading…",
  errorTitle: "Something went wrong",
  reasonGoal: "Needed for your goal “{role}” at level {level} (target mastery {t}%).",
  reasonPrereqOf: "Comes first: it is a prerequisite of {kps}.",
  reasonPrereqMastered: "You already master its prerequisite “{kp}” ({p}%).",
  reasonMasteryNew: "Not started yet (estimated mastery {p}%, target {t}%).",
  reasonMastery: "Your mastery is {p}% after {n} answer(s); target {t}%.",
  reasonOutside: "Not required for your goal: optional, to broaden your knowledge.",
  reasonStruggling: "Your last {n} answers here were wrong: start with the worked example, then try again.",
  reasonPrereqReview: "Revisit this first: “{kp}” builds on it (your mastery {p}%).",
  reasonFactChanged: "Facts here changed in a content update ({facts}): a short refresh.",
  reasonRecallDue: "Spaced review due: you would recall it now with about {p}% probability.",
  reasonStrongRecord: "You answered {p}% of your last {n} questions right and know its prerequisites well: try its questions and skip the lesson if you get them.",
  actionTestOut: "Test out",
  actionRemediate: "Worked example first",
  actionReview: "Review",
  actionRefresh: "Refresh",
  goalPreviewTitle: "If you switch to this goal",
  goalAdded: "Added: {list}",
  goalDropped: "Dropped: {list}",
  goalMoved: "Moved: {list}",
  goalNoChange: "The path stays the same.",
  goalMinutes: "Study time for the goal: {before} → {after} minutes.",
  goalChanged: "Goal changed. Your path was re-planned.",
  updatesTitle: "Industry update: facts you learned have changed",
  updateLine: "{kp}: {fact} (content {from} → {to}, checked {date})",
  myData: "My data",
  myDataLead: "Everything Crossway knows about you stays in one file on this computer.",
  exportData: "Export all my data (JSON + xAPI)",
  exported: "Saved {n} answers to {path}",
  deleteLearner: "Delete this learner",
  confirmDelete: "Click again to delete {name} and all their data for good",
  placementStart: "Placement check (up to 20 questions)",
  placementTitle: "Placement check",
  placementLead: "Answer what you can; choose “I don't know” rather than guessing. Topics you already know will be skipped.",
  placementProgress: "Question {n} (at most {max})",
  dontKnow: "I don't know",
  next: "Next",
  placementDone: "Done: {known} topics of your goal look known and will be skipped or only checked once; {unknown} are new to you.",
  backToPath: "See my path",
};

const baseZh: Record<keyof typeof baseEn, string> = {
  switchLanguage: "English",
  switchLanguageLabel: "Switch to English",
  switchLearner: "切换学习者",
  welcomeTitle: "谁在学习？",
  welcomeLead: "跨径只把每位学习者的进度保存在这台电脑上。",
  noLearners: "还没有学习者。请在下方创建第一位。",
  continueAs: "继续学习",
  newLearner: "新建学习者",
  name: "姓名",
  goalRole: "目标岗位",
  noGoal: "暂不设目标（浏览全部内容）",
  weeklyMinutes: "每周学习时间（分钟）",
  language: "语言",
  create: "创建并开始",
  pathTitle: "你的学习路径",
  pathGoal: "目标：{goal}",
  pathNoGoal: "尚未选择目标：按顺序学习全部主题。",
  pathSummary: "距离目标还需学习 {minutes} 分钟，按每周 {weekly} 分钟安排。",
  changeGoal: "更改目标",
  saveGoal: "保存目标",
  week: "第 {n} 周",
  actionLearn: "学习",
  actionPractice: "练习",
  optional: "选学",
  forGoal: "目标所需",
  minutes: "{n} 分钟",
  mastery: "掌握度 {p}%",
  why: "为什么推荐这一步？",
  openLesson: "打开课程",
  emptyPath: "你已达到目标岗位的全部要求。可以选择新目标，或继续练习。",
  back: "返回学习路径",
  asOf: "资料核实于 {date}",
  sourcesTitle: "资料来源（最新数据请以来源为准）",
  methods: "学习本主题的方式",
  tabLesson: "阅读",
  tabExample: "例题",
  tabDiscussion: "小组讨论",
  tabWorkshop: "工作坊卡片",
  printWorkshop: "打印此卡片",
  factsTitle: "可能变化的事实",
  factMeta: "（来源 {source}，核实于 {date}）",
  practice: "练习",
  check: "提交答案",
  yourAnswer: "你的答案",
  numberIn: "数值（单位：{unit}）",
  correct: "回答正确",
  incorrect: "还不对",
  correctAnswer: "正确答案：{answer}",
  referenceAnswer: "参考答案：{answer}",
  errorCause: "可能的错误原因：{cause}",
  explanation: "解析：{text}",
  masteryChange: "该知识点掌握度：{before}% → {after}%",
  saved: "已保存为第 {id} 条作答记录。",
  alreadySaved: "已保存为第 {id} 条作答记录（不会重复计算）。",
  attemptsSoFar: "累计作答：{n} 次",
  pickOption: "请先选择一个选项。",
  enterNumber: "请先输入一个数字。",
  enterText: "请先写下你的答案。",
  rubricMet: "✓ 已答到",
  rubricMissed: "✗ 未答到",
  rubricContradicted: "✗ 说反了",
  keywordGrader: "未使用 AI 模型评分：每条要点根据你的用词（中文按相邻字对匹配）和答案与参考答案的接近程度判断，并在人工评分的答案上校准；得分由各要点得出——仅为粗略检查，不是最终成绩。",
  needsReview: "置信度低：此评分需要人工复核。",
  modelNone: "未安装 AI 模型：主观题使用关键词检查；选择题和数值题按标准答案精确评分。",
  modelFound: "AI 模型：{name}（{details}），{check}。主观题目前仍用关键词检查：模型评分尚未完成校准。",
  checksumOk: "校验和已验证",
  checksumUnknown: "校验和未验证",
  packLine: "课程内容：{title} {version}，资料核实于 {date}",
  loading: "加载中…",
  errorTitle: "出错了",
  reasonGoal: "目标岗位“{role}”要求达到 {level} 级（目标掌握度 {t}%）。",
  reasonPrereqOf: "需要先学：它是{kps}的前置知识。",
  reasonPrereqMastered: "你已掌握其前置知识“{kp}”（{p}%）。",
  reasonMasteryNew: "尚未开始（估计掌握度 {p}%，目标 {t}%）。",
  reasonMastery: "作答 {n} 次后掌握度为 {p}%；目标 {t}%。",
  reasonOutside: "不是目标岗位的必修内容：选学，用于拓宽知识面。",
  reasonStruggling: "你在这里最近连续答错 {n} 次：先看例题，再重新练习。",
  reasonPrereqReview: "先复习这一项：“{kp}”建立在它的基础上（你的掌握度 {p}%）。",
  reasonFactChanged: "内容更新改动了这里的事实（{facts}）：做一次简短复习。",
  reasonRecallDue: "到了间隔复习的时间：现在大约有 {p}% 的把握还记得它。",
  reasonStrongRecord: "你最近 {n} 道题答对了 {p}%，且已牢固掌握其前置知识：可以直接做题，答对即可跳过课程。",
  actionTestOut: "免修测试",
  actionRemediate: "先看例题",
  actionReview: "复习",
  actionRefresh: "更新复习",
  goalPreviewTitle: "如果改为这个目标",
  goalAdded: "新增：{list}",
  goalDropped: "移除：{list}",
  goalMoved: "顺序变化：{list}",
  goalNoChange: "学习路径不变。",
  goalMinutes: "达成目标所需学习时间：{before} → {after} 分钟。",
  goalChanged: "目标已更改，学习路径已重新规划。",
  updatesTitle: "行业更新：你学过的内容有事实发生了变化",
  updateLine: "{kp}：{fact}（课程 {from} → {to}，核实于 {date}）",
  myData: "我的数据",
  myDataLead: "跨径关于你的所有数据都只保存在这台电脑上的一个文件里。",
  exportData: "导出我的全部数据（JSON + xAPI）",
  exported: "已将 {n} 条作答记录保存到 {path}",
  deleteLearner: "删除该学习者",
  confirmDelete: "再点一次将永久删除 {name} 及其全部数据",
  placementStart: "入门测评（最多 20 题）",
  placementTitle: "入门测评",
  placementLead: "会做的就作答；不会的请选“我不知道”，不要猜。已经掌握的主题将被跳过。",
  placementProgress: "第 {n} 题（最多 {max} 题）",
  dontKnow: "我不知道",
  next: "下一题",
  placementDone: "测评完成：目标岗位中有 {known} 个主题你已基本掌握，将跳过或只做一次确认；{unknown} 个主题需要学习。",
  backToPath: "查看学习路径",
};

// Screens keep their strings in i18n/<screen>.ts, each typed the same way.
const en = { ...baseEn, ...dashEn, ...simsEn, ...wordsEn, ...dataEn, ...classEn };
export type Key = keyof typeof en;
const zh: Record<Key, string> = { ...baseZh, ...dashZh, ...simsZh, ...wordsZh, ...dataZh, ...classZh };

const dicts: Record<Locale, Record<Key, string>> = { en, "zh-CN": zh };

let locale: Locale = (localStorage.getItem("crossway.locale") as Locale | null) ?? "zh-CN";

export function getLocale(): Locale {
  return locale;
}

export function setLocale(l: Locale): void {
  locale = l;
  localStorage.setItem("crossway.locale", l);
  document.documentElement.lang = l;
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return dicts[locale][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** The text in the current language. */
export function tr(text: Text): string {
  return text[locale];
}

export const pct = (p: number): number => Math.round(p * 100);

/** A step's structured reason as a sentence; `title` names a KP id. */
export function reasonText(r: Reason, roleTitle: string, title: (kp: string) => string): string {
  switch (r.kind) {
    case "goal_requires":
      return t("reasonGoal", { role: roleTitle, level: r.level, t: pct(r.threshold) });
    case "prerequisite_of":
      return t("reasonPrereqOf", { kps: r.kps.map((k) => `“${title(k)}”`).join(locale === "zh-CN" ? "、" : ", ") });
    case "prerequisite_mastered":
      return t("reasonPrereqMastered", { kp: title(r.kp), p: pct(r.p) });
    case "mastery":
      return r.after_attempts === 0
        ? t("reasonMasteryNew", { p: pct(r.p), t: pct(r.target) })
        : t("reasonMastery", { p: pct(r.p), n: r.after_attempts, t: pct(r.target) });
    case "outside_goal":
      return t("reasonOutside");
    case "struggling":
      return t("reasonStruggling", { n: r.wrong_in_a_row });
    case "prerequisite_review":
      return t("reasonPrereqReview", { kp: title(r.for_kp), p: pct(r.p) });
    case "strong_record":
      return t("reasonStrongRecord", { p: pct(r.accuracy), n: r.answers });
    case "recall_due":
      return t("reasonRecallDue", { p: pct(r.p_recall) });
    case "short_steps":
      return t("reasonShortSteps", { p: pct(r.persistence) });
    case "method_works":
      return t("reasonMethodWorks", { method: methodName(r.method), rate: (r.rate * 100).toFixed(1), n: r.sessions });
    case "asked_often":
      return r.not_helpful > 0
        ? t("reasonAskedOftenUnhelped", { n: r.times, bad: r.not_helpful })
        : t("reasonAskedOften", { n: r.times });
    case "you_named":
      return t("reasonYouNamed", { named: r.named.map((n) => tr(n)).join(locale === "zh-CN" ? "、" : ", ") });
    case "fact_changed":
      return t("reasonFactChanged", { facts: r.facts.map((f) => (f.as_of ? `${f.fact}, ${f.as_of}` : f.fact)).join("; ") });
  }
}

export function methodName(m: Method): string {
  switch (m) {
    case "read": return t("methodRead");
    case "example": return t("methodExample");
    case "practice": return t("methodPractice");
    case "simulation": return t("methodSimulation");
    case "discussion": return t("methodDiscussion");
    case "workshop": return t("methodWorkshop");
  }
}
