/**
 * The A2A side of a hosted agent for plain clients: a request handler that refuses, before any
 * task exists, what a plain client may not ask (A2A errors: invalid params, extension support
 * required), and an executor that runs the open capability and answers a completed (or failed)
 * Task whose artifact and status message carry the TaskResult as a data part and its summary as
 * text. The logic never sees express (STYLE.md, after the SDK's own layering).
 */
import { randomUUID } from 'node:crypto';
import { Role, TaskState, type Message, type Part, type SendMessageRequest, type StreamResponse, type Task } from '@a2a-js/sdk';
import { ExtensionSupportRequiredError, RequestMalformedError } from '@a2a-js/sdk/errors';
import { AgentEvent, DefaultRequestHandler, type AgentExecutor, type ExecutionEventBus, type RequestContext, type ServerCallContext } from '@a2a-js/sdk/server';
import type { TaskRequest, TaskResult } from '../intent/task-invocation.ts';
import type { Logger } from '../logger.ts';
import { isRefusal, readOpenRequest, type OpenRequest } from './open-capabilities.ts';

export type CapabilityCall = (task: TaskRequest) => Promise<TaskResult>;

export interface OpenCapabilityAgent {
  name: string;
  /** Capabilities the AGW granted the agent, as of now. */
  held(): readonly string[];
  /** Whether this NF has logic for a capability. */
  canRun(capabilityId: string): boolean;
  run: CapabilityCall;
  /** Counts calls in flight, reported to the AGW as load. */
  busy<T>(work: () => Promise<T>): Promise<T>;
}

/** Reads and checks the request; throws the A2A error a plain client gets. */
function checkedRequest(agent: OpenCapabilityAgent, message: Message | undefined): OpenRequest {
  const read = readOpenRequest(message, agent.name, agent.held());
  if (!isRefusal(read)) {
    if (agent.canRun(read.capabilityId)) return read;
    throw new RequestMalformedError({ message: `agent ${agent.name} has no logic for ${read.capabilityId}`, metadata: { reason: 'CAPABILITY_NOT_HELD', capabilityId: read.capabilityId } });
  }
  throw read.kind === 'session-required'
    ? new ExtensionSupportRequiredError({ message: read.message, metadata: read.metadata })
    : new RequestMalformedError({ message: read.message, metadata: read.metadata });
}

/** DefaultRequestHandler that checks a message before the SDK creates a task for it. */
export class OpenCapabilityRequestHandler extends DefaultRequestHandler {
  constructor(private readonly agent: OpenCapabilityAgent, ...rest: ConstructorParameters<typeof DefaultRequestHandler>) {
    super(...rest);
  }

  override async sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    checkedRequest(this.agent, params?.message);
    return super.sendMessage(params, context);
  }

  override async *sendMessageStream(params: SendMessageRequest, context: ServerCallContext): AsyncGenerator<StreamResponse, void, undefined> {
    checkedRequest(this.agent, params?.message);
    yield* super.sendMessageStream(params, context);
  }
}

const textPart = (text: string): Part => ({ content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined });
const dataPart = (value: unknown): Part => ({ content: { $case: 'data', value }, mediaType: 'application/json', filename: '', metadata: undefined });

export function createOpenCapabilityExecutor(agent: OpenCapabilityAgent, logger: Logger): AgentExecutor {
  return {
    async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
      const { taskId, contextId } = context;
      const message = context.userMessage;
      bus.publish(AgentEvent.task({
        id: taskId, contextId, status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: new Date().toISOString() },
        artifacts: [], history: context.task?.history ?? [message], metadata: {},
      }));
      let result: TaskResult;
      let request: OpenRequest | undefined;
      try {
        request = checkedRequest(agent, message);
        const call = request;
        // The A2A context stands for the intent a TIP task belongs to.
        result = await agent.busy(() => agent.run({ taskId, intentId: contextId, capabilityId: call.capabilityId, ...(call.supi ? { supi: call.supi } : {}), parameters: call.parameters as TaskRequest['parameters'] }));
      } catch (error) {
        // A store failure, or a check that changed since the handler's: a failed task, never a crash.
        logger.error('open A2A capability failed', { agent: agent.name, taskId, error: (error as Error).message });
        result = { taskId, capabilityId: request?.capabilityId ?? 'unknown', state: 'failed', summary: `The request could not be carried out: ${(error as Error).message}`, data: {} };
      }
      bus.publish(AgentEvent.artifactUpdate({
        taskId, contextId, append: false, lastChunk: true, metadata: undefined,
        artifact: { artifactId: randomUUID(), name: 'task-result', description: `TaskResult of ${result.capabilityId}`, parts: [dataPart(result), textPart(result.summary)], metadata: undefined, extensions: [] },
      }));
      bus.publish(AgentEvent.statusUpdate({
        taskId, contextId, metadata: undefined,
        status: {
          state: result.state === 'completed' ? TaskState.TASK_STATE_COMPLETED : TaskState.TASK_STATE_FAILED,
          timestamp: new Date().toISOString(),
          message: { messageId: randomUUID(), contextId, taskId, role: Role.ROLE_AGENT, parts: [textPart(result.summary), dataPart(result)], metadata: undefined, extensions: [], referenceTaskIds: [] },
        },
      }));
      logger.debug('open A2A capability answered', { agent: agent.name, taskId, capability: result.capabilityId, state: result.state });
    },

    // Open capabilities answer at once; a task is terminal before a cancel could arrive.
    async cancelTask(): Promise<void> {},
  };
}
