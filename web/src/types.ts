// Owns the names the UI gives the REST API's shapes. Every shape comes from api-types.gen.ts, generated from
// the OpenAPI document (npm run gen:web-types): nothing here is copied by hand.

import type * as Api from './api-types.gen.ts';
import type { OperationStatusCode } from '../../src/phones/model.ts';

export type { OperationStatusCode };

export type Me = Api.GetAuthMeResponse;
export type Phone = Api.GetPhonesResponse['items'][number];
export type CapfInformation = Phone['capfInformation'];
export type PhoneDetail = Api.GetPhonesByDeviceNameResponse;
export type CapfSession = PhoneDetail['sessions'][number];
export type IssuedCertificate = PhoneDetail['certificates'][number];
/** A page of a paged list (GET /phones, /audit): the items of each list are its own. */
export type Page<T> = Omit<Api.GetPhonesResponse, 'items'> & { items: T[] };
export type Results = Api.PostPhonesCapfResponse;
export type ItemResult = Results['results'][number];

export type Profile = Api.GetProfilesResponse['items'][number];
export type BulkJob = Api.GetBulkJobsByIdResponse;
export type ExpirySummary = Api.GetReportsExpiryResponse;
export type ExpiryCounts = ExpirySummary['totals'];
export type AuditEntry = Api.GetAuditResponse['items'][number];

export type NodeStatus = Api.GetStatusResponse;
export type IdentitySummary = Api.GetIdentitiesResponse['items'][number];
export type IdentityDetail = Api.GetIdentitiesByNameResponse;
export type CertDetails = IdentityDetail['certificate'];
export type BulkPreview = Api.PostBulkQueryResponse;
export type DoctorResult = Api.GetDoctorResponse;
export type TrustLists = Api.GetTrustItlResponse;
export type MigrationPlan = Api.GetMigrationPlanResponse;
export type MigrationStep = MigrationPlan['steps'][number];
export type MigrationCheck = Api.PostMigrationCheckResponse;
export type MigrationExport = Api.PostMigrationExportTrustResponse;
export type ItlStatusReport = Api.GetReportsItlStatusResponse;
export type TvsTrust = Api.GetTvsTrustResponse;
export type TvsTrustEntry = TvsTrust['items'][number];
export type TvsTrustImport = Api.PostTvsTrustBody;
export type TvsTrustImported = Api.PostTvsTrustResponse;

export type ManufacturingCas = Api.GetCapfManufacturingCasResponse;
export type ManufacturingCa = ManufacturingCas['items'][number];
export type ManufacturingCaImport = Api.PostCapfManufacturingCasBody;
export type ManufacturingCaImported = Api.PostCapfManufacturingCasResponse;
export type MicReport = Api.GetReportsMicResponse;
export type MonitorRules = Api.GetMonitorRulesResponse;
export type MonitorRule = MonitorRules['items'][number];
export type MonitorChannels = Api.GetMonitorChannelsResponse;
export type MonitorChannel = MonitorChannels['items'][number];
export type MonitorChannelAdd = Api.PostMonitorChannelsBody;
export type MonitorChannelAdded = Api.PostMonitorChannelsResponse;
export type MonitorRuleAdd = Api.PostMonitorRulesBody;
export type MonitorTestResult = Api.PostMonitorChannelsByNameTestResponse;
export type MonitorDeliveries = Api.GetMonitorDeliveriesResponse;
export type MonitorRun = Api.PostMonitorRunResponse;
export type BulkJobItem = Api.GetBulkJobsByIdItemsResponse['items'][number];
export type ItlRotation = Api.GetTrustItlRotationResponse;
