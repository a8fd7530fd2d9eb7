//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//!
//! `code` is a stable snake_case key that clients translate (`errors.<code>` in the SPA's locale
//! files); `detail` is for people and may change. A 500 never carries internals: they go to the log.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

crate::text_enum! {
    /// The stable key of every problem (`code`): clients translate it (`errors.<code>` in the
    /// web app), and it never changes meaning. One list, so the spec, the docs and the
    /// translations can be checked against it.
    pub enum ErrorCode {
        AccountLocked = "account_locked",
        AlreadyCheckedIn = "already_checked_in",
        AlreadyClaimed = "already_claimed",
        AlreadyMember = "already_member",
        AlreadyPaired = "already_paired",
        AlreadySignedUp = "already_signed_up",
        AlreadyVoted = "already_voted",
        AssessmentFinal = "assessment_final",
        BadIfMatch = "bad_if_match",
        BranchNotEmpty = "branch_not_empty",
        Duplicate = "duplicate",
        DuplicateName = "duplicate_name",
        EntryIsReversal = "entry_is_reversal",
        EntryReversed = "entry_reversed",
        FileEmpty = "file_empty",
        FileNotUtf8 = "file_not_utf8",
        FileTooLargeUnpacked = "file_too_large_unpacked",
        FileUnreadable = "file_unreadable",
        Forbidden = "forbidden",
        GridNotEmpty = "grid_not_empty",
        HouseholdHasVisits = "household_has_visits",
        IdempotencyAnswerLost = "idempotency_answer_lost",
        IdempotencyConflict = "idempotency_conflict",
        IdempotencyInProgress = "idempotency_in_progress",
        ImageTooLarge = "image_too_large",
        ImportsBusy = "imports_busy",
        Internal = "internal",
        InvalidClient = "invalid_client",
        InvalidCredentials = "invalid_credentials",
        InvalidFormat = "invalid_format",
        InvalidIdempotencyKey = "invalid_idempotency_key",
        InvalidPage = "invalid_page",
        InvalidPeriod = "invalid_period",
        InvalidPoint = "invalid_point",
        InvalidQuery = "invalid_query",
        InvalidRefreshToken = "invalid_refresh_token",
        InvalidSort = "invalid_sort",
        InvalidTransition = "invalid_transition",
        InvalidYear = "invalid_year",
        LeaderCannotLeave = "leader_cannot_leave",
        LineTooLong = "line_too_long",
        MakeUpExceedsActivity = "make_up_exceeds_activity",
        MalformedBody = "malformed_body",
        MalformedJson = "malformed_json",
        MalformedMultipart = "malformed_multipart",
        MeetingNotHeld = "meeting_not_held",
        MeetingRecorded = "meeting_recorded",
        MemberHistorical = "member_historical",
        MethodNotAllowed = "method_not_allowed",
        MissingColumns = "missing_columns",
        NotAStreet = "not_a_street",
        NotFound = "not_found",
        NotSignedUp = "not_signed_up",
        OutsideCheckInWindow = "outside_check_in_window",
        PayloadTooLarge = "payload_too_large",
        PollClosed = "poll_closed",
        PollNotOpen = "poll_not_open",
        PollOpen = "poll_open",
        PreconditionFailed = "precondition_failed",
        ProjectFullyClaimed = "project_fully_claimed",
        RateLimited = "rate_limited",
        RectificationDone = "rectification_done",
        Referenced = "referenced",
        RefreshTokenExpired = "refresh_token_expired",
        RefreshTokenReused = "refresh_token_reused",
        RefreshTokenRotated = "refresh_token_rotated",
        RegionNotEmpty = "region_not_empty",
        Retry = "retry",
        RoleVacant = "role_vacant",
        /// An action on one's own account that would lock one out (revoking one's own admin grant).
        OwnAccount = "self",
        SessionRevoked = "session_revoked",
        TeamInactive = "team_inactive",
        TokenExpired = "token_expired",
        TooManyColumns = "too_many_columns",
        TooManyPhotos = "too_many_photos",
        TooManyRows = "too_many_rows",
        TooManyStrings = "too_many_strings",
        TransferPending = "transfer_pending",
        Unauthorized = "unauthorized",
        Unavailable = "unavailable",
        UnsupportedGrantType = "unsupported_grant_type",
        UnsupportedMediaType = "unsupported_media_type",
        ValidationFailed = "validation_failed",
        VersionConflict = "version_conflict",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// The request field, as a dotted path (`parent_id`, `items.0.name`).
    #[schema(example = "name")]
    pub field: String,
    /// Stable key of the rule that failed (`required`, `too_long`, `unknown_field` …).
    #[schema(example = "required")]
    pub code: String,
    #[schema(example = "name must not be empty")]
    pub message: String,
}

/// The problem+json body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"type": "https://tongxin.example/problems/region_not_empty", "title": "Conflict", "status": 409, "detail": "region has 3 child regions and 2 branches; move or delete them first", "code": "region_not_empty"}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Option<Vec<FieldError>>,
    pub retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            errors: None,
            retry_after: None,
        }
    }
    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn unauthorized(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, detail)
    }
    /// Missing, or outside the caller's scope: the two are indistinguishable on purpose.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("{what} not found"),
        )
    }
    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }
    /// A workflow action the state machine does not allow from the record's current state.
    pub fn invalid_transition(current: &str, action: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ErrorCode::InvalidTransition,
            format!("the current state is {current}; {action} is not allowed from it"),
        )
    }
    pub fn precondition_failed(current: i32) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::PreconditionFailed,
            format!("If-Match does not match the current version {current}; reload and retry"),
        )
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            errors: Some(errors),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                detail,
            )
        }
    }
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }])
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                format!("too many requests; retry in {} s", retry_after.max(1)),
            )
        }
    }
    pub fn unavailable(detail: impl Into<String>) -> Self {
        let detail = detail.into();
        log::error!("service unavailable: {detail}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the service is temporarily unavailable",
        )
    }
    /// Logs the cause and answers a bare 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        log::error!("internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "an unexpected error occurred",
        )
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("https://tongxin.example/problems/{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((
                header::WWW_AUTHENTICATE,
                format!("Bearer error=\"{}\"", self.code),
            ));
        }
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::not_found("record"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => ApiError::conflict(
                ErrorCode::Duplicate,
                // The database's own text names its tables and constraints: it goes to the log only.
                {
                    log::info!("unique violation: {}", info.message());
                    "a record with the same unique value exists"
                },
            ),
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => ApiError::conflict(
                ErrorCode::Referenced,
                "the record is referenced by, or refers to, a record that does not allow this",
            ),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::conflict(ErrorCode::Retry, "a concurrent change conflicted; retry")
            }
            other => ApiError::internal(other),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Optimistic concurrency: an `If-Match` that does not match is a 412; a `version` in the body
/// that does not match is a 409 `version_conflict`.
pub fn expect_version(current: i32, if_match: Option<i32>, body: Option<i32>) -> ApiResult<()> {
    if let Some(v) = if_match {
        if v != current {
            return Err(ApiError::precondition_failed(current));
        }
    }
    if let Some(v) = body {
        if v != current {
            return Err(ApiError::conflict(
                ErrorCode::VersionConflict,
                format!("the record is at version {current}, not {v}; reload and retry"),
            ));
        }
    }
    Ok(())
}
