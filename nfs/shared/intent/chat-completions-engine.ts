/**
 * Optional comprehension engine backed by a language model behind an OpenAI-compatible
 * `POST {baseUrl}/chat/completions` (OpenAI, vLLM, Ollama, llama.cpp server, ...). The model is
 * untrusted: its answer must be JSON, its intent must validate against the Intent schema of
 * openapi/nagent-tip.yaml (ajv, via schema-validator.ts) and must be plannable by workflow.ts;
 * every objectInstance is overwritten with the requesting UE's SUPI, so a model talked into it
 * cannot aim an intent at another subscriber. Screening (comprehension.ts) runs before the call.
 *
 * Failure mapping (documented contract):
 * - the model answered, but with something unusable (not JSON, wrong shape, invalid or unplannable
 *   intent) -> a clarification asking the user to rephrase (confidence 0);
 * - the endpoint could not answer (unreachable, timeout, HTTP error, a body that is not a chat
 *   completion) -> ComprehensionUnavailableError, which withFallback() turns into the offline
 *   engine's answer, or which the caller reports as a failed intent.
 */
import axios, { type AxiosInstance } from 'axios';
import { compileSchemaCheck, type SchemaCheck } from '../schema-validator.ts';
import { buildSystemPrompt } from './chat-prompt.ts';
import { ComprehensionUnavailableError, screenedEngine, type Comprehension, type ComprehensionEngine } from './comprehension.ts';
import { describeIntent } from './describe-intent.ts';
import { NOT_UNDERSTOOD } from './intent-catalogue.ts';
import type { Intent } from './intent-vocabulary.ts';
import { planWorkflow, WorkflowError } from './workflow.ts';

export interface ChatCompletionsConfig {
  /** e.g. http://localhost:11434/v1 ; `/chat/completions` is appended. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Whole request, connection included (default 10 s). */
  timeoutMs?: number;
  /** Ask for response_format json_object (default true; turn off for servers that reject it). */
  jsonMode?: boolean;
  /** Injected HTTP client (tests); one is created otherwise. */
  http?: AxiosInstance;
  /** Told why a model answer was discarded for a clarification (for logs). */
  onUnusableAnswer?: (why: string) => void;
}

const NAME = 'chat-completions';
const MAX_ANSWER_CHARS = 20_000;


const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clamp01 = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : fallback);
const shortText = (v: unknown, max: number) => (typeof v === 'string' && v.trim() && v.length <= max ? v.trim() : undefined);

/** The JSON object inside a model answer, tolerating a ```json fence around it. */
function parseAnswer(content: string): Record<string, unknown> | undefined {
  const unfenced = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  try {
    const value: unknown = JSON.parse(unfenced);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Interprets the model's JSON; anything unusable becomes a clarification, and `onUnusable` hears why. */
function interpretAnswer(
  answer: Record<string, unknown> | undefined,
  supi: string,
  checkIntent: SchemaCheck,
  onUnusable: (why: string) => void = () => {},
): Comprehension {
  const unusable = (why: string): Comprehension => {
    onUnusable(why);
    return { outcome: 'clarification', question: NOT_UNDERSTOOD, confidence: 0 };
  };
  if (!answer) return unusable('answer is not a JSON object');
  if (answer.outcome === 'clarification') {
    const question = shortText(answer.question, 500);
    if (!question) return unusable('clarification without a question');
    const candidates = Array.isArray(answer.candidates) ? answer.candidates.filter((c): c is string => typeof c === 'string' && c.length <= 200).slice(0, 8) : [];
    return { outcome: 'clarification', question, confidence: clamp01(answer.confidence, 0), ...(candidates.length ? { candidates } : {}) };
  }
  if (answer.outcome !== 'intent') return unusable(`unknown outcome ${JSON.stringify(answer.outcome)}`);
  const problems = checkIntent(answer.intent);
  if (problems.length) return unusable(`intent fails the schema: ${problems.map((p) => `${p.param} ${p.reason}`).join('; ')}`);
  const model = answer.intent as Intent;
  // The object is always the requesting UE, whatever the model wrote.
  const intent: Intent = {
    ...model,
    intentExpectations: model.intentExpectations.map((e) => ({ ...e, expectationObject: { ...e.expectationObject, objectInstance: supi } })),
  };
  try {
    planWorkflow(intent, { supi });
  } catch (error) {
    if (error instanceof WorkflowError) return unusable(`intent cannot be planned: ${error.message}`);
    throw error;
  }
  const summary = shortText(answer.summary, 200) ?? describeIntent(intent);
  return { outcome: 'intent', intent: { ...intent, userLabel: intent.userLabel ?? summary }, confidence: clamp01(answer.confidence, 0.5), summary };
}

/** The chat-completions engine, screened (comprehension.ts). */
export function createChatCompletionsEngine(config: ChatCompletionsConfig): ComprehensionEngine {
  const { baseUrl, model, apiKey, timeoutMs = 10_000, jsonMode = true } = config;
  const http = config.http ?? axios.create({ validateStatus: () => true, maxContentLength: 1_000_000 });
  const url = `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const systemPrompt = buildSystemPrompt();
  // Compiled on first use and kept for the engine's life.
  let intentCheck: Promise<SchemaCheck> | undefined;

  async function complete(text: string): Promise<string> {
    let response;
    try {
      response = await http.post(
        url,
        {
          model,
          temperature: 0,
          messages: [
            { role: 'system', content: systemPrompt },
            { role: 'user', content: text },
          ],
          ...(jsonMode ? { response_format: { type: 'json_object' } } : {}),
        },
        { timeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs), headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {} },
      );
    } catch (error) {
      const reason = axios.isAxiosError(error) ? (error.code ?? error.message) : (error as Error).message;
      throw new ComprehensionUnavailableError(NAME, `${url} did not answer (${reason})`, { cause: error });
    }
    if (response.status < 200 || response.status >= 300) {
      throw new ComprehensionUnavailableError(NAME, `${url} answered HTTP ${response.status}`);
    }
    const content: unknown = response.data?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new ComprehensionUnavailableError(NAME, `${url} answered without choices[0].message.content`);
    return content.slice(0, MAX_ANSWER_CHARS);
  }

  return screenedEngine({
    name: NAME,
    async comprehend({ text, supi }) {
      intentCheck ??= compileSchemaCheck('nagent-tip.yaml', 'Intent');
      const [content, check] = await Promise.all([complete(text), intentCheck]);
      return interpretAnswer(parseAnswer(content), supi, check, config.onUnusableAnswer);
    },
  });
}
