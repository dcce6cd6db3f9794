/**
 * The comprehension engine an intent agent's settings name: the offline one (default), or an
 * OpenAI-compatible chat-completions endpoint that falls back to the offline engine whenever the
 * endpoint cannot answer, so an intent never fails because a model is down.
 */
import { createChatCompletionsEngine } from '../shared/intent/chat-completions-engine.ts';
import { withFallback, type ComprehensionEngine } from '../shared/intent/comprehension.ts';
import { createOfflineEngine } from '../shared/intent/offline-engine.ts';
import type { ComprehensionSetting } from './settings.ts';

export function createComprehensionEngine(setting: ComprehensionSetting, onUnusableAnswer?: (why: string) => void): ComprehensionEngine {
  const offline = createOfflineEngine();
  if (setting.engine === 'offline') return offline;
  return withFallback(createChatCompletionsEngine({ baseUrl: setting.baseUrl, model: setting.model, apiKey: setting.apiKey, timeoutMs: setting.timeoutMs, onUnusableAnswer }), offline);
}
