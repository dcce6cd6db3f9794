/** Wire shapes of the NRF, generated from openapi/ (never hand-written; STYLE.md rule 5). */
import type { components as nfm } from '../../openapi/generated/nnrf-nfm.ts';
import type { components as disc } from '../../openapi/generated/nnrf-disc.ts';
import type { components as oauth2 } from '../../openapi/generated/nnrf-oauth2.ts';
import type { components as common } from '../../openapi/generated/common.ts';

export type NFProfile = nfm['schemas']['NFProfile'];
export type NFService = nfm['schemas']['NFService'];
export type NFType = nfm['schemas']['NFType'];
export type SubscriptionData = nfm['schemas']['SubscriptionData'];
export type NotificationData = nfm['schemas']['NotificationData'];
export type NotificationEventType = nfm['schemas']['NotificationEventType'];
export type UriList = nfm['schemas']['UriList'];
export type SearchResult = disc['schemas']['SearchResult'];
export type AccessTokenReq = oauth2['schemas']['AccessTokenReq'];
export type AccessTokenRsp = oauth2['schemas']['AccessTokenRsp'];
export type PatchItem = common['schemas']['PatchItem'];
export type ChangeItem = common['schemas']['ChangeItem'];

/** Query of Nnrf_NFDiscovery (TS 29.510 clause 6.2.3.2.3.1), shared with the NRF client. */
export type { DiscoverQuery as DiscoveryQuery } from '../shared/nrf-client.ts';
