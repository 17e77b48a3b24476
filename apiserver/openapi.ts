// OpenAPI documents for live.copse.io (filled in below); undefined means 404, which kube-apiserver's
// OpenAPI aggregator treats as "this service publishes no spec".
export interface OpenApiResponse {
  code: number;
  headers: Record<string, string>;
  body: string;
}

export function openapiResponse(_path: string, _ifNoneMatch: string | undefined): OpenApiResponse | undefined {
  return undefined;
}
