// Wire types of the arena protocol (spec 000, /v1; docs/protocols/arena.md). Every
// message is an envelope `{id, type, event, data, timestamp}`: requests answered by a
// response (or an error) echoing their id, and server events by name. Shared by the
// server (src/apps/arena) and the SDK (src/client): types only.

export type Difficulty = 'easy' | 'medium' | 'hard';
export type ArenaLanguage = 'python' | 'javascript';
/** Rated queues; `practice` pairs players the same way but leaves ratings alone. */
export type BattleMode = 'quick-battle' | 'ranked' | 'practice';

/** A request id as the client sent it (echoed back), or null when it sent none. */
export type RequestId = string | number | null;

export type ArenaErrorCode =
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'BATTLE_FULL'
  | 'INVALID_CODE'
  | 'INVALID_BATTLE_ID'
  | 'VALIDATION_ERROR'
  | 'UNKNOWN_EVENT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'ALREADY_QUEUED'
  | 'ALREADY_IN_BATTLE'
  | 'SUBMISSION_PENDING'
  | 'NOT_JOINED'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'INTERNAL_ERROR';

// --- requests (client → server) and their responses -------------------------------

/** The data of each request event. */
export interface ArenaRequests {
  'system:ping': Record<string, never>;
  'battle:join': {
    battleId?: string;
    difficulty?: Difficulty;
    language?: ArenaLanguage;
    mode?: BattleMode;
  };
  'battle:leave': { battleId?: string };
  'battle:submit': { battleId: string; code: string; language: ArenaLanguage };
  'battle:invite': {
    username: string;
    difficulty: Difficulty;
    language?: ArenaLanguage;
    mode?: BattleMode;
  };
  'notification:respond': {
    notificationId: string;
    action: 'accept' | 'decline';
    language?: ArenaLanguage;
  };
  /** `battleId` names the battle's own channel (`battle:<id>`) instead of `channel`. */
  'chat:join': { channel: string; battleId?: string };
  'chat:leave': { channel: string };
  'chat:send': { channel: string; message: string; replyTo?: string };
  'team:practice_start': { teamId: string; topic: string; participants?: string[] };
  'team:share_code': {
    teamId: string;
    problemId: string;
    code: string;
    language: ArenaLanguage;
    note?: string;
  };
}

export type ArenaRequestEvent = keyof ArenaRequests;

/** The event name of each request's response. */
export interface ArenaResponseEvents {
  'system:ping': 'system:pong';
  'battle:join': 'battle:joined';
  'battle:leave': 'battle:left';
  'battle:submit': 'battle:submitted';
  'battle:invite': 'battle:invited';
  'notification:respond': 'notification:responded';
  'chat:join': 'chat:joined';
  'chat:leave': 'chat:left';
  'chat:send': 'chat:sent';
  'team:practice_start': 'team:practice_started';
  'team:share_code': 'team:code_shared';
}

/** A player's standing in a battle. */
export interface BattleStanding {
  score: number;
  /** seconds from the start to the best submission; null before any */
  time: number | null;
  submissions: number;
}

export type BattleJoined =
  /** In the matchmaking queue. */
  | {
      status: 'queued';
      difficulty: Difficulty;
      language: ArenaLanguage;
      mode: BattleMode;
      rating: number;
      position: number;
    }
  /** A player back in a running battle: the battle as it stands. */
  | ({ status: 'active' | 'ending'; you: BattleStanding } & BattleMatched)
  /** The inviter of an invitation not yet accepted. */
  | { status: 'pending'; battleId: string; invitee: UserSummary | null }
  /** The invitee joined: battle:matched follows. */
  | { status: 'matched'; battleId: string };

export type BattleLeft =
  | { battleId: string; status: 'cancelled' | 'declined' | 'forfeited' }
  | { status: 'left_queue' | 'not_queued' };

export interface BattleSubmitted extends ExecutionResult {
  submissionId: string;
  verdict: string;
  score: number;
}

export interface BattleInvited {
  battleId: string;
  notificationId: string;
  invitee: UserSummary;
  difficulty: Difficulty;
  mode: BattleMode;
  status: 'pending';
}

export interface NotificationResponded {
  notificationId: string;
  action: 'accept' | 'decline';
  battleId: string;
  status: 'declined' | 'active';
}

/** The data of each request's response. */
export interface ArenaResponses {
  'system:ping': { serverTime: string };
  'battle:join': BattleJoined;
  'battle:leave': BattleLeft;
  'battle:submit': BattleSubmitted;
  'battle:invite': BattleInvited;
  'notification:respond': NotificationResponded;
  'chat:join': { channel: string };
  'chat:leave': { channel: string; status: 'left' | 'not_joined' };
  'chat:send': { channel: string; messageId: string; timestamp: string };
  'team:practice_start': TeamPracticeStarted;
  'team:share_code': TeamCodeShared;
}

// --- server events ----------------------------------------------------------------

export interface UserSummary {
  userId: string;
  username: string;
}

/** The problem as a battle shows it to one player (their language's starter only). */
export interface BattleProblem {
  id: string;
  title: string;
  difficulty: Difficulty;
  description: string;
  function: string;
  starter: string;
  /** the visible tests */
  examples: Array<{ input: unknown[]; output: unknown }>;
  totalTests: number;
}

export interface BattleMatched {
  battleId: string;
  opponent: UserSummary & { rating: number };
  problem: BattleProblem;
  /** seconds */
  timeLimit: number;
  language: ArenaLanguage;
  mode: BattleMode;
  difficulty: Difficulty;
  startedAt: string;
  endsAt: string;
}

export interface BattleSubmission {
  battleId: string;
  userId: string;
  status: 'submitted';
  timestamp: string;
}

/** One failing test of a submission (a hidden test shows only its number and verdict). */
export interface SubmissionError {
  /** 1-based; null when the submission failed as a whole */
  test: number | null;
  hidden: boolean;
  verdict: string;
  message: string;
  input?: unknown[];
  expected?: unknown;
  actual?: unknown;
}

export interface ExecutionResult {
  battleId: string;
  testsPassed: number;
  totalTests: number;
  /** seconds */
  executionTime: number;
  /** MB */
  memoryUsed: number;
  errors: SubmissionError[];
}

export interface BattleEnded {
  battleId: string;
  winner: string | null;
  /** by user id */
  results: Record<string, { score: number; time: number | null }>;
  reason: 'solved' | 'timeout' | 'forfeit';
  /** by user id; empty for practice battles (or when storing failed) */
  ratings: Record<string, { before: number; after: number }>;
}

export interface ChatMessageEvent {
  channel: string;
  messageId: string;
  userId: string;
  username: string;
  message: string;
  timestamp: string;
  /** only on a reply */
  replyTo?: string;
}

export interface UserNotification {
  id: string;
  type: string;
  title: string;
  message: string;
  data: Record<string, unknown>;
  actions: string[];
  createdAt: string;
}

export type NotificationPriority = 'low' | 'normal' | 'high';

export interface SystemNotification {
  id: string;
  title: string;
  message: string;
  priority: NotificationPriority;
  action: { type: string; url?: string } | null;
  createdAt: string;
}

export interface TeamMemberJoined {
  teamId: string;
  member: UserSummary & { role: 'member' | 'admin' };
}

export interface TeamPracticeStarted {
  teamId: string;
  sessionId: string;
  topic: string;
  participants: string[];
}

export interface TeamCodeShared {
  teamId: string;
  sharedBy: string;
  problemId: string;
  language: ArenaLanguage;
  note: string | null;
  shareId: string;
  userId: string;
  code: string;
  sharedAt: string;
}

/** Every event the server sends unasked: event name → data. */
export interface ArenaServerEvents {
  'battle:matched': BattleMatched;
  'battle:submission': BattleSubmission;
  'battle:execution_result': ExecutionResult;
  'battle:ended': BattleEnded;
  'chat:message': ChatMessageEvent;
  'notification:user': UserNotification;
  'notification:system': SystemNotification;
  'team:member_joined': TeamMemberJoined;
  'team:practice_started': TeamPracticeStarted;
  'team:code_shared': TeamCodeShared;
}

export type ArenaEventName = keyof ArenaServerEvents;

// --- envelopes ----------------------------------------------------------------------

export interface ArenaRequestEnvelope<E extends ArenaRequestEvent = ArenaRequestEvent> {
  id?: string | number;
  /** informational (`subscribe`, `unsubscribe`, `action`); the server dispatches on event */
  type?: string;
  event: E;
  data?: ArenaRequests[E];
  timestamp?: string;
}

export interface ArenaResponseEnvelope<E extends ArenaRequestEvent = ArenaRequestEvent> {
  id: RequestId;
  type: 'response';
  event: ArenaResponseEvents[E];
  success: true;
  data: ArenaResponses[E];
  timestamp: string;
}

export interface ArenaEventEnvelope<K extends ArenaEventName = ArenaEventName> {
  /** fresh per event (the same for every recipient): clients drop duplicates by it */
  id: string;
  type: 'event';
  event: K;
  data: ArenaServerEvents[K];
  timestamp: string;
}

export interface ArenaErrorEnvelope {
  id: RequestId;
  type: 'error';
  error: { code: ArenaErrorCode; message: string; details: Record<string, unknown> };
  timestamp: string;
}
