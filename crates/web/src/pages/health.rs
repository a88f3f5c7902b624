//! `GET /healthz`: liveness for load balancers and process supervisors.

pub async fn get_healthz() -> &'static str {
    "ok"
}
