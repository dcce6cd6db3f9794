/**
 * An intent from a UE, end to end inside the agent that handles it (DMSC architecture draft,
 * mobile deployment, "two-stage intent analysis"; MACP section 5.4): comprehension of the text
 * into an operator-defined intent (TS 28.312 shape), workflow generation into tasks, task-based
 * invocation, and aggregation of the results into an answer for the user. A clarification or a
 * rejection runs nothing.
 */
import { randomUUID } from 'node:crypto';
import type { components } from '../../../openapi/generated/nagent-tip.ts';
import type { ComprehensionEngine } from './comprehension.ts';
import { aggregateResults } from './aggregation.ts';
import type { TaskInvocation } from './task-invocation.ts';
import { planWorkflow, WorkflowError, type PlannedTask } from './workflow.ts';

export type IntentRequest = components['schemas']['IntentRequest'];
export type IntentOutcome = components['schemas']['IntentOutcome'];
export type Intent = components['schemas']['Intent'];

export interface IntentPipelineDeps {
  engine: ComprehensionEngine;
  invocation: TaskInvocation;
  now?: () => number;
}

export function createIntentPipeline(deps: IntentPipelineDeps) {
  const now = deps.now ?? (() => performance.now());

  return {
    async handle(request: IntentRequest, intentId: string = randomUUID()): Promise<IntentOutcome> {
      const started = now();
      const timings: Record<string, number> = {};
      const lap = (name: string, since: number) => {
        timings[name] = Math.round((now() - since) * 100) / 100;
        return now();
      };
      let intent: Intent;
      let summary: string;
      let confidence = 1;
      if (request.operatorIntent) {
        // Converted on the UE already: the first analysis stage happened on the device.
        intent = request.operatorIntent;
        summary = intent.userLabel ?? 'your operator-defined intent';
      } else {
        const understood = await deps.engine.comprehend({ text: request.text ?? '', supi: request.supi });
        lap('comprehensionMs', started);
        if (understood.outcome === 'clarification') {
          return { intentId, outcome: 'clarification', result: understood.question, confidence: understood.confidence, tasks: [], timings: { ...timings, totalMs: now() - started } };
        }
        if (understood.outcome === 'rejected') {
          return { intentId, outcome: 'rejected', result: understood.reason, cause: understood.cause, tasks: [], timings: { ...timings, totalMs: now() - started } };
        }
        ({ intent, summary, confidence } = understood);
      }
      const planningStarted = now();
      let tasks: PlannedTask[];
      try {
        tasks = planWorkflow(intent, { supi: request.supi });
      } catch (error) {
        if (!(error instanceof WorkflowError)) throw error;
        return {
          intentId, outcome: 'rejected', intent, confidence, cause: 'INTENT_NOT_SUPPORTED',
          result: `This intent cannot be carried out here: ${error.reason}`, tasks: [], timings: { ...timings, totalMs: now() - started },
        };
      }
      const invocationStarted = lap('planningMs', planningStarted);
      const run = await deps.invocation.run({ intentId, supi: request.supi, ueAic: request.ueAic, tasks });
      lap('tasksMs', invocationStarted);
      const completed = run.tasks.every((task) => task.state === 'completed');
      return {
        intentId,
        outcome: completed ? 'completed' : 'failed',
        result: aggregateResults({ summary, tasks: run.tasks, results: run.results }),
        intent,
        confidence,
        ...(completed ? {} : { cause: 'TASK_FAILED' }),
        tasks: run.tasks,
        timings: { ...timings, totalMs: Math.round((now() - started) * 100) / 100 },
      };
    },
  };
}

export type IntentPipeline = ReturnType<typeof createIntentPipeline>;
