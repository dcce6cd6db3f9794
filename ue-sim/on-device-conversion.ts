/**
 * The UE-side first stage of the two-stage intent analysis (DMSC architecture draft, mobile
 * deployment): a UE whose subscription converts intents runs the offline engine on the device and
 * sends the operator-defined intent; text it cannot convert goes to the network as written, where
 * the intent agent asks back or refuses. One engine serves every simulated UE of a process.
 */
import { createOfflineEngine } from '../nfs/shared/intent/offline-engine.ts';
import type { IntentConverter } from './ue-client.ts';

export function createOnDeviceConversion(): (supi: string) => IntentConverter {
  let engine: ReturnType<typeof createOfflineEngine> | undefined;
  return (supi) => async (text) => {
    engine ??= createOfflineEngine();
    const understood = await engine.comprehend({ text, supi });
    return understood.outcome === 'intent' ? understood.intent : undefined;
  };
}
