/** The operator knowledge base the knowledge-qa capability answers from: short help articles. */

export interface Article {
  id: string;
  title: string;
  text: string;
  tags: string;
  /** The root causes (fault or radio finding codes) the article explains. */
  causes?: readonly string[];
}

export const articles: readonly Article[] = Object.freeze([
  {
    id: 'wifi-channel', title: 'Slow or dropping Wi-Fi at home', causes: ['ROUTER_WIFI_CHANNEL_CONGESTION'],
    tags: 'wifi wireless slow dropping router channel interference neighbours 5 GHz',
    text: 'Wi-Fi slows down when neighbouring networks crowd the same channel. Use the 5 GHz network where you can, and keep the router in the open, away from the microwave; we can also move your router to a quieter channel remotely.',
  },
  {
    id: 'ont-los', title: 'Red LOS light on the fibre box', causes: ['ONT_LOS'],
    tags: 'fibre ont los red light no internet cable cut outage broadband down',
    text: 'A red LOS light on the fibre box (ONT) means no light reaches it. Check the thin fibre cable is plugged in and not bent or pinched; if the light stays red, the fibre outside needs an engineer to repair it.',
  },
  {
    id: 'optical-power', title: 'Broadband slow and unstable on fibre', causes: ['OPTICAL_POWER_DEGRADED'],
    tags: 'fibre slow unstable drops connector optical power signal weak broadband',
    text: 'A fibre line that is slow and drops now and then often has a dirty or bent connector that weakens the light. Do not unplug or clean the fibre yourself; an engineer cleans or replaces the connector and measures the signal.',
  },
  {
    id: 'pppoe', title: 'Router connected but no internet', causes: ['PPPOE_AUTH_FAILURE'],
    tags: 'router connected no internet login pppoe password authentication broadband',
    text: 'When the fibre light is green but nothing loads, the router may be failing to log in to the network (PPPoE). Restart the router once; if that does not help, we re-synchronise its login details remotely.',
  },
  {
    id: 'router-restart', title: 'Restarting your home router',
    tags: 'restart reboot router power cycle home broadband wifi',
    text: 'Switch the router off at the back, wait 30 seconds and switch it on again; it takes about three minutes to reconnect. Do not press the reset pinhole, which erases your Wi-Fi name and password.',
  },
  {
    id: 'qos-boost', title: 'What a QoS boost does',
    tags: 'qos boost priority guaranteed bit rate latency video gaming calls 5qi',
    text: 'A QoS boost gives your traffic a guaranteed bit rate and a delay budget (a 5QI) for a limited time, such as two hours of smooth video. It is granted only while your cell has room: above 90% load it is refused, and on a busy cell you may get part of the rate.',
  },
  {
    id: 'evening-congestion', title: 'Why mobile data is slow in the evening', causes: ['CELL_CONGESTION'],
    tags: 'slow mobile data evening busy congestion cell load peak hour',
    text: 'Cells are busiest between 18:00 and 21:00, when many people stream at once, so speeds drop. The cell load analytics tell you when your cell is quieter, and a QoS boost reserves capacity when the cell has room.',
  },
  {
    id: 'weak-signal', title: 'Poor mobile signal indoors', causes: ['WEAK_COVERAGE', 'LOW_SINR'],
    tags: 'poor weak signal indoors bars coverage reception calls drop interference',
    text: 'Thick walls and distance from the mast weaken the signal indoors; moving near a window usually helps. We can also optimise the nearby cell (antenna tilt, power, interference coordination) and turn on Wi-Fi calling.',
  },
  {
    id: 'billing-cycle', title: 'When your data allowance resets',
    tags: 'allowance reset billing period month data usage bill charges over',
    text: 'Your allowance runs for the calendar month and resets on the 1st. Data beyond the allowance is charged per started GB on capped plans; unlimited plans have no extra charges.',
  },
  {
    id: 'change-plan', title: 'Changing your plan',
    tags: 'change upgrade downgrade plan tariff price allowance unlimited',
    text: 'You can change plan at any time, free of charge, and the new allowance applies at once to the current month. The plans are Essential 10 GB, Plus 50 GB, Max 150 GB and Unlimited.',
  },
  {
    id: 'engineer-visit', title: 'Engineer visits',
    tags: 'engineer technician visit appointment repair booking window',
    text: 'Engineers visit in windows of 08:00-12:00, 12:00-16:00 and 16:00-20:00; urgent faults such as a cut fibre can be booked the same day. Someone over 18 needs to be at home to let the engineer in.',
  },
  {
    id: 'apn', title: 'Mobile data settings (APN)',
    tags: 'apn mobile data settings internet not working phone configuration',
    text: 'If mobile data does not work after changing phone, check that mobile data is on and the APN is set to "internet". Restarting the phone reloads the settings from the network.',
  },
]);
