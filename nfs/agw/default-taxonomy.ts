/**
 * The capability taxonomy a new gateway starts with: the network capabilities of the mobile
 * deployment (DMSC architecture draft, mobile example) and the agents of the home-broadband
 * fault-diagnosis use case (draft-fu-nmop-agent-communication-framework section 3, case 2).
 */
import type { TaxonomyEntry } from './capability-matcher.ts';

const entry = (name: string, title: string, description: string, synonyms: string[]): TaxonomyEntry => ({
  capabilityId: `/capability/${name}`,
  name: title,
  description,
  synonyms,
});

export const defaultTaxonomy: readonly TaxonomyEntry[] = Object.freeze([
  entry('qos-optimisation', 'QoS optimisation', "Improve or guarantee the quality of service of a UE's traffic: more bandwidth, lower latency, a better QoS flow for video, gaming or calls.", ['boost connection', 'faster internet', 'more bandwidth', 'reduce latency', 'video stutters', 'lag', 'quality of service', 'prioritise traffic']),
  entry('network-diagnosis', 'Network diagnosis', 'Diagnose why the mobile connection of a UE is slow, dropping or failing, from radio conditions and cell load.', ['why is my connection slow', 'calls drop', 'no signal', 'troubleshoot mobile network', 'connection problem']),
  entry('location', 'Location', 'Tell where a UE is: its serving cell, tracking area and estimated position.', ['where am i', 'my position', 'geolocation', 'find my device', 'serving cell']),
  entry('cell-load-analytics', 'Cell load analytics', 'Analytics of cell load and congestion over time, such as how busy a cell is now and when it is quieter.', ['how busy is my cell', 'congestion', 'network load', 'busy hour', 'crowded network']),
  entry('broadband-troubleshooting', 'Home broadband troubleshooting', 'Fix home broadband faults: fixed line, fibre, Wi-Fi and home router problems, slow or unstable broadband at home.', ['fix my home broadband', 'wifi not working', 'router fault', 'fibre down', 'unstable broadband', 'internet at home']),
  entry('billing-plan', 'Billing and plan', "Answer questions on the subscriber's bill, tariff, data plan and add-ons, and change the plan.", ['how much does my plan cost', 'my bill', 'tariff', 'data allowance', 'roaming add-on', 'upgrade plan']),
  entry('wireless-network-optimisation', 'Wireless network optimisation', 'Optimise the radio network around a user: coverage, interference, antenna tilt and handover for poor mobile signal.', ['poor mobile signal', 'weak coverage', 'bad reception', 'signal bars', 'radio optimisation']),
  entry('intent-recognition', 'Intent recognition', 'Understand a natural-language request and turn it into an operator-defined intent with tasks (TS 28.312).', ['understand my request', 'intent comprehension', 'complaint type', 'natural language intent']),
  entry('data-preprocessing', 'Data preprocessing', 'Collect and prepare key information on user devices, alarms and network state for diagnosis.', ['gather device data', 'collect alarms', 'prepare data']),
  entry('root-cause-analysis', 'Root cause analysis', 'Find the most likely root cause of a fault, its impact scope and recommendations.', ['root cause', 'why did it fail', 'fault analysis']),
  entry('knowledge-qa', 'Knowledge Q&A', 'Answer questions from the operator knowledge base and guide the user to supply missing information.', ['question answering', 'help article', 'faq']),
  entry('fault-handling', 'Fault handling', 'Recover from a diagnosed fault automatically, such as restarting a port or reconfiguring a device.', ['repair fault', 'automatic recovery', 'fix the fault']),
  entry('maintenance-scheduling', 'Installation and maintenance scheduling', 'Dispatch an engineer by location, skills and urgency, and monitor the service afterwards.', ['send a technician', 'engineer visit', 'book repair']),
  entry('e2e-testing', 'End-to-end testing', 'Run end-to-end service tests to confirm a service works after a change or repair.', ['speed test', 'verify service', 'test my line']),
  entry('personal-assistant', 'Personal assistant', "The user's own agent on the UE: follow-ups, surveys and reminders.", ['follow up', 'customer survey', 'remind me']),
  entry('ue-measurement', 'UE measurement', 'Measurements taken on the device: signal strength, throughput and battery, asked of the UE agent.', ['measure on my phone', 'signal strength on device', 'device measurement', 'rsrp']),
]);
