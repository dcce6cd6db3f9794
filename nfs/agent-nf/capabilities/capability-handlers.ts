/**
 * The emulated capability agents, by capability id of the AGW's default taxonomy
 * (nfs/agw/default-taxonomy.ts). intent-recognition is the intent agent itself; personal-assistant
 * and ue-measurement belong to the UE's own agent, so none of them is here.
 */
import { billingPlan } from './billing-plan.ts';
import { broadbandTroubleshooting } from './broadband-troubleshooting.ts';
import type { CapabilityHandler } from './capability-types.ts';
import { cellLoadAnalytics } from './cell-load-analytics.ts';
import { dataPreprocessing } from './data-preprocessing.ts';
import { e2eTesting } from './e2e-testing.ts';
import { faultHandling } from './fault-handling.ts';
import { knowledgeQa } from './knowledge-qa.ts';
import { location } from './location.ts';
import { maintenanceScheduling } from './maintenance-scheduling.ts';
import { networkDiagnosis } from './network-diagnosis.ts';
import { qosOptimisation } from './qos-optimisation.ts';
import { rootCauseAnalysis } from './root-cause-analysis.ts';
import { wirelessNetworkOptimisation } from './wireless-network-optimisation.ts';

export type { CapabilityContext, CapabilityHandler, TaskRequest, TaskResult } from './capability-types.ts';

export const capabilityHandlers: Readonly<Record<string, CapabilityHandler>> = Object.freeze({
  '/capability/qos-optimisation': qosOptimisation,
  '/capability/network-diagnosis': networkDiagnosis,
  '/capability/location': location,
  '/capability/cell-load-analytics': cellLoadAnalytics,
  '/capability/broadband-troubleshooting': broadbandTroubleshooting,
  '/capability/billing-plan': billingPlan,
  '/capability/data-preprocessing': dataPreprocessing,
  '/capability/root-cause-analysis': rootCauseAnalysis,
  '/capability/fault-handling': faultHandling,
  '/capability/e2e-testing': e2eTesting,
  '/capability/wireless-network-optimisation': wirelessNetworkOptimisation,
  '/capability/knowledge-qa': knowledgeQa,
  '/capability/maintenance-scheduling': maintenanceScheduling,
});
