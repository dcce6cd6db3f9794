/**
 * Wire shapes of the semantic-session extension (MACP "Agent-to-Agent Process"): each control
 * message is one A2A DataPart whose `kind` says what it is. The initiator sends SESSION_INIT,
 * SESSION_DATA, SESSION_UPDATE and SESSION_TERMINATE; the target answers with an agent Message
 * carrying SESSION_ACCEPT, SESSION_REJECT, SESSION_RESULT, SESSION_ERROR or SESSION_TERMINATED.
 */
import { randomUUID } from 'node:crypto';
import { Role, type Message, type Part } from '@a2a-js/sdk';
import type { TaskResult } from '../../intent/task-invocation.ts';

/**
 * Every request carries `proof`: a call token (nfs/shared/agent-auth.ts) signed with the
 * initiator's key, x5c its certificate, aud the target's AIC, cap the session's capability and tid
 * `<sessionId> <kind>`, single use. It shows the sender holds the key of the certificate, which a
 * stolen artifact and a public certificate alone cannot, and binds each message to its session.
 */
export interface SessionProof {
  proof: string;
}

export interface SessionInit extends SessionProof {
  kind: 'SESSION_INIT';
  sessionId: string;
  initiatorAic: string;
  targetAic: string;
  capabilityId: string;
  /** The SMF-signed authorization artifact (a JWT). */
  artifact: string;
  /** The initiator's AMC-issued X.509 certificate, PEM. */
  certificatePem: string;
}

/**
 * Semantic data (MACP "Agent-to-Agent Process", step after SESSION_ACCEPT). When it carries a task
 * of TIP (MACP section 5.4: task id, intent, the results it depends on), a repeat of the same task
 * from the same initiator gets the first answer, as a repeated InvokeTask does.
 */
export interface SessionData extends SessionProof {
  kind: 'SESSION_DATA';
  sessionId: string;
  capabilityId: string;
  parameters: Record<string, unknown>;
  supi?: string;
  taskId?: string;
  intentId?: string;
  /** Results of the tasks this one depends on, by task id (TaskRequest.inputs of nagent-tip.yaml). */
  inputs?: Record<string, TaskResult>;
}

export interface SessionUpdate extends SessionProof {
  kind: 'SESSION_UPDATE';
  sessionId: string;
  /** A new artifact from the SMF's modify. */
  artifact: string;
}

export interface SessionTerminate extends SessionProof {
  kind: 'SESSION_TERMINATE';
  sessionId: string;
}

export type SessionRequest = SessionInit | SessionData | SessionUpdate | SessionTerminate;

export interface SessionAccept {
  kind: 'SESSION_ACCEPT';
  sessionId: string;
  capabilityId: string;
  scope: string[];
  /** When the authorization ends (ISO 8601). */
  expiresAt: string;
}

/** Refusal of a SESSION_INIT or SESSION_UPDATE. */
export interface SessionReject {
  kind: 'SESSION_REJECT';
  sessionId: string;
  reason: string;
  cause: RefusalCause;
}

/** Refusal of SESSION_DATA or SESSION_TERMINATE. */
export interface SessionError {
  kind: 'SESSION_ERROR';
  sessionId: string;
  reason: string;
  cause: RefusalCause;
}

export interface SessionResult {
  kind: 'SESSION_RESULT';
  sessionId: string;
  result: TaskResult;
}

export interface SessionTerminated {
  kind: 'SESSION_TERMINATED';
  sessionId: string;
}

export type SessionAnswer = SessionAccept | SessionReject | SessionError | SessionResult | SessionTerminated;

export const refusalCauses = [
  'MALFORMED_SESSION_MESSAGE',
  'ARTIFACT_INVALID',
  'AUDIENCE_MISMATCH',
  'CAPABILITY_MISMATCH',
  'ARTIFACT_EXPIRED',
  'REPLAYED_INIT',
  'CERTIFICATE_UNTRUSTED',
  'CERTIFICATE_REVOKED',
  'CERTIFICATE_SUSPENDED',
  'CAPABILITY_NOT_HELD',
  'UNKNOWN_SESSION',
  'OUT_OF_SCOPE',
  'SESSION_EXPIRED',
  'SESSION_TERMINATED',
  'SESSION_MANAGER_UNAVAILABLE',
  'PROOF_INVALID',
] as const;

export type RefusalCause = (typeof refusalCauses)[number];

const requestKinds = new Set(['SESSION_INIT', 'SESSION_DATA', 'SESSION_UPDATE', 'SESSION_TERMINATE']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The data part of a message that is session control, if any (its `kind` starts with SESSION_). */
export function sessionPayloadOf(message: Message | undefined): Record<string, unknown> | undefined {
  for (const part of message?.parts ?? []) {
    const content = part?.content;
    if (content?.$case === 'data' && isRecord(content.value) && typeof content.value.kind === 'string' && content.value.kind.startsWith('SESSION_')) return content.value;
  }
  return undefined;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const capabilityIdPattern = /^\/capability\/[a-z0-9][a-z0-9-]{0,62}$/;
const supiPattern = /^imsi-[0-9]{5,15}$/;
const shortString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/** Limits of TaskRequest in nagent-tip.yaml: ids of 64 characters, at most 16 inputs and 32 parameters. */
const MAX_INPUTS = 16;
const MAX_PARAMETERS = 32;
const taskIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/** A dependency's TaskResult as nagent-tip.yaml shapes it, or what is wrong with it. */
function taskResultProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'must be a TaskResult object';
  if (!shortString(value.taskId, 64) || !shortString(value.capabilityId, 80)) return 'needs taskId and capabilityId';
  if (value.state !== 'completed' && value.state !== 'failed') return 'state must be completed or failed';
  if (typeof value.summary !== 'string' || value.summary.length > 4096) return 'summary must be text of at most 4096 characters';
  if (!isRecord(value.data)) return 'data must be a JSON object';
  return undefined;
}

/** The task fields of SESSION_DATA, all optional together with the plain data fields. */
function readTaskFields(payload: Record<string, unknown>): { taskId?: string; intentId?: string; inputs?: Record<string, TaskResult> } | string {
  const fields: { taskId?: string; intentId?: string; inputs?: Record<string, TaskResult> } = {};
  for (const field of ['taskId', 'intentId'] as const) {
    if (payload[field] === undefined) continue;
    if (typeof payload[field] !== 'string' || !taskIdPattern.test(payload[field])) return `${field} must be 1 to 64 letters, digits or . _ : -`;
    fields[field] = payload[field];
  }
  if (payload.inputs !== undefined) {
    if (!isRecord(payload.inputs)) return 'inputs must be a JSON object of TaskResults by task id';
    const entries = Object.entries(payload.inputs);
    if (entries.length > MAX_INPUTS) return `inputs holds at most ${MAX_INPUTS} results`;
    for (const [id, result] of entries) {
      if (!taskIdPattern.test(id)) return 'inputs must be keyed by task ids';
      const problem = taskResultProblem(result);
      if (problem) return `inputs.${id} ${problem}`;
    }
    fields.inputs = payload.inputs as Record<string, TaskResult>;
  }
  if (fields.inputs && !fields.taskId) return 'inputs come with the taskId they are for';
  return fields;
}

/** Reads a session request, or says in words what is wrong with it. */
export function readSessionRequest(payload: Record<string, unknown>): SessionRequest | { malformed: string; sessionId: string } {
  const sessionId = typeof payload.sessionId === 'string' ? payload.sessionId.slice(0, 64) : '';
  const bad = (why: string) => ({ malformed: why, sessionId });
  if (!requestKinds.has(String(payload.kind))) return bad(`kind ${String(payload.kind).slice(0, 40)} is not one of ${[...requestKinds].join(', ')}`);
  if (!uuidPattern.test(sessionId)) return bad('sessionId must be the SMF session id (a UUID)');
  if (!shortString(payload.proof, 8192) || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(payload.proof)) return bad('proof must be a call token signed with the initiator\'s key (a compact JWS)');
  const proof = payload.proof;
  switch (payload.kind) {
    case 'SESSION_INIT': {
      for (const field of ['initiatorAic', 'targetAic'] as const) if (!shortString(payload[field], 128)) return bad(`${field} must be an AIC`);
      if (!shortString(payload.capabilityId, 80) || !capabilityIdPattern.test(payload.capabilityId)) return bad('capabilityId must be a capability identifier such as /capability/billing-plan');
      if (!shortString(payload.artifact, 8192)) return bad('artifact must be the SMF-signed JWT');
      if (!shortString(payload.certificatePem, 16384)) return bad('certificatePem must be the initiator\'s PEM certificate');
      const { initiatorAic, targetAic, capabilityId, artifact, certificatePem } = payload as unknown as SessionInit;
      return { kind: 'SESSION_INIT', sessionId, proof, initiatorAic, targetAic, capabilityId, artifact, certificatePem };
    }
    case 'SESSION_DATA': {
      if (!shortString(payload.capabilityId, 80) || !capabilityIdPattern.test(payload.capabilityId)) return bad('capabilityId must be a capability identifier');
      if (payload.parameters !== undefined && !isRecord(payload.parameters)) return bad('parameters must be a JSON object');
      if (isRecord(payload.parameters) && Object.keys(payload.parameters).length > MAX_PARAMETERS) return bad(`parameters holds at most ${MAX_PARAMETERS} entries`);
      if (payload.supi !== undefined && (typeof payload.supi !== 'string' || !supiPattern.test(payload.supi))) return bad('supi must be "imsi-" and 5 to 15 digits');
      const task = readTaskFields(payload);
      if (typeof task === 'string') return bad(task);
      return { kind: 'SESSION_DATA', sessionId, proof, capabilityId: payload.capabilityId, parameters: { ...(payload.parameters as Record<string, unknown> | undefined) }, ...(payload.supi ? { supi: payload.supi as string } : {}), ...task };
    }
    case 'SESSION_UPDATE':
      if (!shortString(payload.artifact, 8192)) return bad('artifact must be the SMF-signed JWT');
      return { kind: 'SESSION_UPDATE', sessionId, proof, artifact: payload.artifact };
    default:
      return { kind: 'SESSION_TERMINATE', sessionId, proof };
  }
}

/** The tid a session request's proof carries: it binds the token to one session and one kind of message. */
export const proofTaskId = (sessionId: string, kind: SessionRequest['kind']) => `${sessionId} ${kind}`;

export const dataPart = (value: unknown): Part => ({ content: { $case: 'data', value }, mediaType: 'application/json', filename: '', metadata: undefined });
export const textPart = (text: string): Part => ({ content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined });

/** A message carrying one session control part (and, for people reading logs, a line of text). */
export function sessionMessage(role: Role, payload: SessionRequest | SessionAnswer, contextId = '', text?: string): Message {
  return {
    messageId: randomUUID(), contextId, taskId: '', role, metadata: undefined, extensions: [], referenceTaskIds: [],
    parts: [dataPart(payload), ...(text ? [textPart(text)] : [])],
  };
}
