"""Product areas a generated help desk can have, and the words its customers use for them.

Each area has plain-language phrases (what a customer on tier 1 writes) and technical ones
(what tier 2/3 tickets read like). The shared vocabulary around them is what makes texts
realistically noisy: greetings, "how do I", sign-offs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Area:
    key: str
    name: str
    # Tags agents put on tickets of this area (the first is the canonical one).
    tags: tuple[str, ...]
    # Subjects a customer writes for simple questions.
    subjects: tuple[str, ...]
    # Subjects of technical problems.
    technical_subjects: tuple[str, ...]
    # Sentences for descriptions and replies.
    details: tuple[str, ...]
    technical_details: tuple[str, ...]

    @property
    def field_value(self) -> str:
        """The value of this area in the "Product area" drop-down field."""
        return f"pa_{self.key}"


CATALOG: tuple[Area, ...] = (
    Area(
        key="billing",
        name="Billing",
        tags=("billing", "invoice"),
        subjects=(
            "Question about my invoice",
            "Why was I charged twice this month?",
            "How do I update my billing address?",
            "Need a copy of last month's invoice",
            "Refund for unused seats",
        ),
        technical_subjects=(
            "Invoice totals do not match the prorated seat changes",
            "Tax (VAT) calculation wrong on invoices for EU customers",
            "Billing cycle shifted after plan downgrade",
        ),
        details=(
            "My invoice shows a charge I don't recognise.",
            "We were billed for more seats than we have.",
            "Our finance team needs the invoice with the company VAT number.",
            "The credit card on file expired and the invoice failed.",
        ),
        technical_details=(
            "The proration on the last invoice is off by exactly one billing cycle.",
            "The VAT line on invoices is computed on the pre-discount amount.",
            "After the downgrade the billing cycle anchor moved and we were invoiced twice.",
        ),
    ),
    Area(
        key="authentication",
        name="Authentication & SSO",
        tags=("sso", "login"),
        subjects=(
            "Can't log in",
            "Password reset email never arrives",
            "How do I turn on two-factor authentication?",
            "Locked out of my account",
        ),
        technical_subjects=(
            "SAML SSO fails with invalid signature after certificate rotation",
            "Okta SCIM provisioning creates duplicate users",
            "OAuth login loops back to the sign-in page",
        ),
        details=(
            "I reset my password but the login page still says it's wrong.",
            "The two-factor code from my phone is not accepted.",
            "One of our users is locked out after too many login attempts.",
        ),
        technical_details=(
            "The SAML assertion is rejected: signature validation failed for the new certificate.",
            "SCIM provisioning from Okta creates a second user when the email changes case.",
            "The SSO redirect drops the RelayState so users land back on the login page.",
        ),
    ),
    Area(
        key="api",
        name="API",
        tags=("api", "developer"),
        subjects=(
            "Where do I find my API key?",
            "Question about API limits",
            "Is there an API for exporting contacts?",
        ),
        technical_subjects=(
            "API returns 500 on POST /v1/records with nested payload",
            "Webhook signatures do not validate with the documented HMAC",
            "REST API pagination skips records when sorting by updated_at",
            "API rate limit headers missing on 429 responses",
        ),
        details=(
            "I want to connect our script to the API but can't find the token settings.",
            "How many API requests can we make per minute?",
        ),
        technical_details=(
            "The endpoint returns HTTP 500 when the JSON payload has nested arrays.",
            "The HMAC-SHA256 signature of the webhook body never matches the header.",
            "Cursor pagination of the REST API returns the same record twice.",
            "We get 429 responses without a Retry-After header from the API.",
        ),
    ),
    Area(
        key="integrations",
        name="Integrations",
        tags=("integrations", "salesforce"),
        subjects=(
            "How do I connect Slack?",
            "Salesforce integration setup",
            "Is there a Jira integration?",
        ),
        technical_subjects=(
            "Salesforce sync fails with FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "Slack integration posts duplicate messages to the channel",
            "Jira connector stopped syncing comments after reauthorisation",
        ),
        details=(
            "We'd like notifications from the app to show up in our Slack channel.",
            "Our sales team uses Salesforce and wants the records linked.",
        ),
        technical_details=(
            "The Salesforce connector log shows FIELD_CUSTOM_VALIDATION_EXCEPTION on every sync.",
            "Since the Slack app was reinstalled, every event is posted twice.",
            "The Jira connector token was refreshed but comments no longer sync.",
        ),
    ),
    Area(
        key="reporting",
        name="Reporting & Analytics",
        tags=("reporting", "dashboards"),
        subjects=(
            "How do I build a dashboard?",
            "Can I schedule a report by email?",
            "Report shows different numbers than last week",
        ),
        technical_subjects=(
            "Dashboard widget totals disagree with the exported CSV",
            "Scheduled report times out for date ranges over 90 days",
            "Analytics metrics double count after timezone change",
        ),
        details=(
            "I want a chart of weekly signups on my dashboard.",
            "Our manager wants the monthly report sent to her inbox.",
        ),
        technical_details=(
            "The dashboard total is 1,204 but the CSV export of the same report has 1,187 rows.",
            "The scheduled report query times out when the range exceeds 90 days.",
            "After switching the account timezone, daily metrics are counted twice.",
        ),
    ),
    Area(
        key="mobile",
        name="Mobile App",
        tags=("mobile", "ios", "android"),
        subjects=(
            "The mobile app won't open",
            "How do I log in on the iPhone app?",
            "Android app notifications",
        ),
        technical_subjects=(
            "iOS app crashes on launch after update to 17.4",
            "Android app drains battery with background sync",
            "Mobile app offline mode loses edits on reconnect",
        ),
        details=(
            "The app on my phone just shows a white screen.",
            "I can't find the settings menu in the Android app.",
        ),
        technical_details=(
            "The iOS app crashes on launch since the last update; crash log attached.",
            "Background sync in the Android app keeps the phone awake all night.",
            "Edits made offline in the mobile app disappear when the phone reconnects.",
        ),
    ),
    Area(
        key="email_delivery",
        name="Email Delivery",
        tags=("email", "deliverability"),
        subjects=(
            "Our emails go to spam",
            "Customers are not receiving our emails",
            "How do I change the sender name?",
        ),
        technical_subjects=(
            "DKIM signature fails for custom sending domain",
            "Bounce webhook reports hard bounces for valid addresses",
            "SPF record too many DNS lookups after adding sending domain",
        ),
        details=(
            "Emails we send through the app end up in our customers' spam folder.",
            "I'd like the emails to come from our company name instead.",
        ),
        technical_details=(
            "Mail-tester shows the DKIM signature fails for our custom sending domain.",
            "The bounce log lists hard bounces for addresses that do exist.",
            "Our SPF record now exceeds ten DNS lookups after adding your include.",
        ),
    ),
    Area(
        key="data_import",
        name="Data Import & Export",
        tags=("import", "csv"),
        subjects=(
            "How do I import my contacts from a spreadsheet?",
            "Export all my data",
            "CSV upload question",
        ),
        technical_subjects=(
            "CSV import fails on UTF-8 files with BOM",
            "Bulk export job stuck at 99 percent",
            "Import maps date columns to the wrong format",
        ),
        details=(
            "I have a spreadsheet of contacts and want to bring them in.",
            "Before we cancel we need a full export of our data.",
        ),
        technical_details=(
            "The CSV import rejects UTF-8 files saved by Excel with a byte order mark.",
            "The bulk export job has been at 99% for two days.",
            "Date columns in the import are read as month/day instead of day/month.",
        ),
    ),
    Area(
        key="notifications",
        name="Notifications",
        tags=("notifications", "alerts"),
        subjects=(
            "Too many notification emails",
            "How do I turn off notifications?",
            "I don't get alerts anymore",
        ),
        technical_subjects=(
            "Push notifications delayed by several hours",
            "Notification digest sent in the wrong timezone",
            "Alert rules fire twice for the same event",
        ),
        details=(
            "I get an email for every little change and it's too much.",
            "I used to get alerts when a task was assigned to me.",
        ),
        technical_details=(
            "Push notifications arrive three to four hours after the event.",
            "The daily digest arrives at 3am because it uses UTC instead of our timezone.",
            "Each alert rule triggers two notifications for a single event.",
        ),
    ),
    Area(
        key="permissions",
        name="Permissions & Roles",
        tags=("permissions", "roles"),
        subjects=(
            "How do I give a colleague admin rights?",
            "User can't see the project",
            "What can the viewer role do?",
        ),
        technical_subjects=(
            "Custom role grants access to restricted workspaces",
            "Permission changes not applied until re-login",
            "Role inheritance broken for nested teams",
        ),
        details=(
            "A new colleague needs to manage users but doesn't see the admin menu.",
            "One of my team members can't open a project everyone else can.",
        ),
        technical_details=(
            "Users with our custom role can open workspaces they shouldn't have access to.",
            "Permission changes only take effect after the user logs out and in again.",
            "Members of a nested team don't inherit the parent team's role.",
        ),
    ),
    Area(
        key="search",
        name="Search",
        tags=("search",),
        subjects=(
            "Search doesn't find my document",
            "How do I search by date?",
            "Search results are confusing",
        ),
        technical_subjects=(
            "Search index not updated for records created via API",
            "Full-text search ignores accented characters",
            "Search query with quotes returns 0 results",
        ),
        details=(
            "I know the document exists but search returns nothing.",
            "Is there a way to filter search results by date?",
        ),
        technical_details=(
            "Records created through the API never show up in search results.",
            "Searching 'cafe' doesn't match 'café' in full-text search.",
            "Any search query containing quotation marks returns zero results.",
        ),
    ),
    Area(
        key="workflows",
        name="Workflows & Automation",
        tags=("workflows", "automation"),
        subjects=(
            "How do I set up an automation?",
            "Can a workflow assign tasks automatically?",
            "Workflow template question",
        ),
        technical_subjects=(
            "Automation trigger runs in an infinite loop",
            "Workflow conditions ignore custom field values",
            "Scheduled automation skipped during daylight saving change",
        ),
        details=(
            "I'd like tasks to be assigned to the right person automatically.",
            "Is there a template for an approval workflow?",
        ),
        technical_details=(
            "Our automation updates the record, which fires the trigger again, forever.",
            "Workflow conditions on custom fields never match even when the value is set.",
            "The nightly automation did not run on the night of the daylight saving change.",
        ),
    ),
    Area(
        key="payments",
        name="Payments",
        tags=("payments", "checkout"),
        subjects=(
            "Customer payment failed",
            "How do I accept credit cards?",
            "Payout hasn't arrived",
        ),
        technical_subjects=(
            "Stripe payment intents stuck in requires_action after 3DS",
            "Checkout webhook marks paid orders as failed",
            "Payout reconciliation off by currency conversion fees",
        ),
        details=(
            "One of our customers says their card payment didn't go through.",
            "We want to start taking card payments on our checkout page.",
        ),
        technical_details=(
            "Payment intents stay in requires_action after the 3D Secure challenge succeeds.",
            "The checkout webhook flags orders as failed although the card was charged.",
            "Payout amounts differ from the dashboard by the currency conversion fee.",
        ),
    ),
    Area(
        key="account_admin",
        name="Account Administration",
        tags=("account", "admin"),
        subjects=(
            "How do I change the account owner?",
            "Close my account",
            "Change our company name",
        ),
        technical_subjects=(
            "Account merge left orphaned workspaces",
            "Data residency migration stuck for our account",
            "Audit log missing entries for admin actions",
        ),
        details=(
            "Our account owner left the company; how do we transfer ownership?",
            "We'd like to rename our organisation in the account settings.",
        ),
        technical_details=(
            "After merging the two accounts, three workspaces have no owner and can't be opened.",
            "The data residency move to the EU region has been pending for a week.",
            "The audit log has no entries for role changes made by our admins.",
        ),
    ),
)

GREETINGS: tuple[str, ...] = (
    "Hi,",
    "Hello team,",
    "Hi there,",
    "Good morning,",
    "Hey,",
    "Dear support,",
    "",
)

OPENERS: tuple[str, ...] = (
    "Quick question.",
    "Hope you can help.",
    "How do I sort this out?",
    "This started yesterday.",
    "We noticed this today.",
    "Not sure if this is the right place to ask.",
    "This is blocking our team.",
    "",
)

SIGN_OFFS: tuple[str, ...] = (
    "Thanks!",
    "Thanks in advance,",
    "Best regards,",
    "Cheers,",
    "Appreciate the help.",
    "",
)

# Subjects that name no area at all: the genuinely ambiguous tickets use these.
VAGUE_SUBJECTS: tuple[str, ...] = (
    "Something is not working",
    "Urgent: please help",
    "Question",
    "Problem since this morning",
    "Follow-up on my previous request",
    "Issue with my account",
)

VAGUE_DETAILS: tuple[str, ...] = (
    "It worked last week and now it doesn't.",
    "Can someone call me back about this?",
    "Please see my earlier email.",
    "We need this fixed as soon as possible.",
)

AGENT_REPLIES: tuple[str, ...] = (
    "Thanks for reaching out! Could you tell me a bit more about what you see?",
    "Thanks for the details. I'm looking into this now.",
    "Could you send a screenshot of the error?",
    "I've checked your account and found the cause.",
    "Here are the steps that should fix it.",
    "Let me know if that works for you.",
    "I've reproduced the problem on our side.",
)

TECHNICAL_REPLIES: tuple[str, ...] = (
    "I've gone through the logs and can see the failing requests.",
    "Could you share the request id and the exact timestamp?",
    "Our engineers confirmed the root cause and a fix is being deployed.",
    "As a workaround, you can retry with the setting disabled.",
    "The fix is live; could you confirm it works for you now?",
)

SOLVE_REPLIES: tuple[str, ...] = (
    "Glad that's sorted! I'll mark this as solved.",
    "The fix is in place, so I'm closing this out. Reply if anything comes up.",
    "Happy to help. Solving this ticket now.",
)

REQUESTER_FOLLOW_UPS: tuple[str, ...] = (
    "Thanks, here is the screenshot.",
    "I tried that but it still doesn't work.",
    "Here are the details you asked for.",
    "It happens every time I try.",
    "Any update on this?",
)

REQUESTER_REOPENS: tuple[str, ...] = (
    "Sorry, the problem is back.",
    "This is happening again.",
    "Reopening: it didn't actually fix it.",
)

INTERNAL_NOTES: tuple[str, ...] = (
    "Customer is on the enterprise plan; handle with priority.",
    "Checked logs, nothing obvious yet.",
    "Similar to a ticket from last week.",
    "Waiting on the customer's screenshot.",
)

ESCALATION_NOTES: tuple[str, ...] = (
    "Escalating: needs deeper investigation than tier 1 can do.",
    "Escalating to the next tier with logs attached.",
    "Out of my depth here, passing on with my notes.",
)

ENGINEERING_NOTES: tuple[str, ...] = (
    "Reproduced in staging; filed a bug for engineering.",
    "Engineering confirmed a regression in the last release.",
    "Root cause found, fix scheduled for the next deploy.",
)

MENTOR_NOTES: tuple[str, ...] = (
    "Tip: check the account's settings page first, it's the usual cause for this.",
    "FYI this is a known issue, link the customer to the status page.",
    "Nice handling. Next time also ask for the request id up front.",
    "Heads up: we have a macro for exactly this.",
)

CSAT_GOOD: tuple[str, ...] = ("Quick and helpful, thank you!", "Great support.", "")
CSAT_BAD: tuple[str, ...] = ("Took too long.", "Problem is not really solved.", "")

FIRST_NAMES: tuple[str, ...] = (
    "Alex", "Sam", "Priya", "Chen", "Maria", "Jonas", "Aisha", "Tom", "Lena", "Diego",
    "Yuki", "Omar", "Sofia", "Liam", "Nora", "Kwame", "Ingrid", "Ravi", "Elena", "Marcus",
    "Hana", "Felix", "Zara", "Pablo", "Mei", "Oscar", "Leila", "Ivan", "Grace", "Tariq",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Nguyen", "Smith", "Garcia", "Müller", "Kowalski", "Okafor", "Tanaka", "Rossi",
    "Johansson", "Patel", "Dubois", "Silva", "Kim", "Novak", "Haddad", "O'Brien",
    "Fischer", "Costa", "Yilmaz", "Andersen",
)  # fmt: skip

CAREER_TRACKS: tuple[str, ...] = (
    "product_support_engineer",
    "team_lead",
    "solutions_engineer",
    "qa",
    "technical_writer",
)
