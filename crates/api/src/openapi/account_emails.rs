//! The rows of the OpenAPI table for joining: the links sent by e-mail (address verification,
//! password reset) and sign-up requests that staff approve (PeerTube's `Users` and `Register`
//! operations).

use super::{Access, JSON, RouteDoc};

/// The registration list's query.
const LIST_QUERY: &[&str] = &["start", "count", "search", "sort"];

/// The routes, in the order of the document.
pub const ROUTES: &[RouteDoc] = &[
    route!(
        "post",
        "/api/v1/users/ask-reset-password",
        "Users",
        "E-mail a password-reset link (working an hour) to the account with this address; 204 whether or not one has it; 400 when the instance sends no e-mail",
        Public,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/{id}/reset-password",
        "Users",
        "Set a new password with the reset link's `verificationString` (once; the user's sessions end); 403 for a wrong, used or expired link",
        Public,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/ask-send-verify-email",
        "Register",
        "E-mail a new verification link (working a day) to the account with this address when it is not verified; 204 whether or not one has it",
        Public,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/registrations/ask-send-verify-email",
        "Register",
        "The same for a registration request (a user waiting for approval)",
        Public,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/{id}/verify-email",
        "Register",
        "Verify the address with the link's `verificationString` (`isPendingEmail`: the new address waiting replaces the old); 403 for a wrong, used or expired link",
        Public,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/registrations/{id}/verify-email",
        "Register",
        "The same for a registration request",
        Public,
        JSON
    ),
    route!(
        "post",
        "/api/v1/users/registrations/request",
        "Register",
        "Ask to join an instance that approves sign-ups, with a `registrationReason` (2 to 3000 characters); the account logs in once staff accept it",
        Public,
        JSON
    ),
    route!(
        "get",
        "/api/v1/users/registrations",
        "Register",
        "Sign-ups waiting for approval, oldest first (`sort=-createdAt`: newest first), `search` in the name or address (staff)",
        Token,
        &[],
        LIST_QUERY
    ),
    route!(
        "post",
        "/api/v1/users/registrations/{id}/reject",
        "Register",
        "Decline a sign-up (the waiting user is deleted); the requester is told by e-mail with `moderationResponse` unless `preventEmailDelivery` (staff)",
        Token,
        JSON
    ),
    route!(
        "delete",
        "/api/v1/users/registrations/{id}",
        "Register",
        "Remove a waiting sign-up without telling the requester (staff)",
        Token
    ),
];
