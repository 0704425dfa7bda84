//! The gRPC adapter: proto in, domain call, proto out. No logic of its own.

use crate::{
    calls::{Calls, Tenant},
    convert::{self, purpose_from_proto, status_from_proto},
    store::{Filter, Page},
    validate::NewCall,
};
use barpel_platform::{ServiceError, grpc::status};
use barpel_proto::{
    calls::v1::{
        Call, CancelCallRequest, CreateCallRequest, GetCallRequest, ListCallsRequest,
        ListCallsResponse, call_service_server::CallService,
    },
    json::map_from_struct,
    time::datetime,
};
use tonic::{Request, Response, Status};

pub struct CallsGrpc {
    pub calls: Calls,
}

fn tenant(t: Option<barpel_proto::Tenant>) -> Result<Tenant, Status> {
    t.filter(|t| !t.account_id.is_empty())
        .map(|t| Tenant {
            account_id: t.account_id,
            livemode: t.livemode,
        })
        .ok_or_else(|| {
            status(ServiceError::invalid(
                "tenant",
                "tenant_missing",
                "The request has no tenant.",
            ))
        })
}

fn reply(call: Result<crate::call::Call, ServiceError>) -> Result<Response<Call>, Status> {
    call.map(|c| Response::new(convert::to_proto(&c)))
        .map_err(status)
}

#[tonic::async_trait]
impl CallService for CallsGrpc {
    async fn create_call(
        &self,
        request: Request<CreateCallRequest>,
    ) -> Result<Response<Call>, Status> {
        let r = request.into_inner();
        let tenant = tenant(r.tenant)?;
        let new = NewCall {
            phone_number: r.phone_number,
            purpose: purpose_from_proto(r.purpose),
            context: map_from_struct(r.context.as_ref()),
            language: r.language,
            metadata: map_from_struct(r.metadata.as_ref()),
        };
        let key = Some(r.idempotency_key.as_str()).filter(|k| !k.is_empty());
        reply(
            self.calls
                .create(&tenant, new, key, r.max_concurrent_calls)
                .await,
        )
    }

    async fn get_call(&self, request: Request<GetCallRequest>) -> Result<Response<Call>, Status> {
        let r = request.into_inner();
        reply(self.calls.get(&tenant(r.tenant)?, &r.id).await)
    }

    async fn list_calls(
        &self,
        request: Request<ListCallsRequest>,
    ) -> Result<Response<ListCallsResponse>, Status> {
        let r = request.into_inner();
        let tenant = tenant(r.tenant)?;
        let page = r.page.unwrap_or_default();
        let filter = Filter {
            status: r
                .status
                .and_then(status_from_proto)
                .map(|s| s.as_str().to_owned()),
            purpose: r
                .purpose
                .and_then(purpose_from_proto)
                .map(|p| p.as_str().to_owned()),
            phone_number: r.phone_number,
            created_gte: r.created_gte.as_ref().and_then(datetime),
            created_lte: r.created_lte.as_ref().and_then(datetime),
        };
        let page = Page {
            limit: i64::from(page.limit.clamp(1, 100)),
            starting_after: Some(page.starting_after).filter(|c| !c.is_empty()),
            ending_before: Some(page.ending_before).filter(|c| !c.is_empty()),
        };
        let (calls, has_more) = self
            .calls
            .list(&tenant, &filter, &page)
            .await
            .map_err(status)?;
        Ok(Response::new(ListCallsResponse {
            calls: calls.iter().map(convert::to_proto).collect(),
            has_more,
        }))
    }

    async fn cancel_call(
        &self,
        request: Request<CancelCallRequest>,
    ) -> Result<Response<Call>, Status> {
        let r = request.into_inner();
        reply(self.calls.cancel(&tenant(r.tenant)?, &r.id).await)
    }
}
