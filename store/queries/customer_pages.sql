-- name: ListCustomerAgreements :many
SELECT agreement_type, date_agreed, contact_first_name, contact_last_name, contact_email, contact_phone
FROM agreements WHERE customer_id = @customer_id AND gone_at IS NULL ORDER BY date_agreed DESC;

-- name: ListCustomerOrders :many
SELECT o.id, o.status, o.billing_cycle, o.currency_code AS currency, o.total_price, o.creation_date,
    (SELECT count(*) FROM order_line_items l WHERE l.order_id = o.id AND l.gone_at IS NULL)::bigint AS lines
FROM orders o WHERE o.customer_id = @customer_id AND o.gone_at IS NULL
ORDER BY o.creation_date DESC NULLS LAST, o.id LIMIT 50;

-- name: ListCustomerUsage :many
SELECT sku_part_number, sku_name, consumed_units AS assigned, active_units AS purchased,
    suspended_units AS suspended, warning_units AS warning
FROM subscribed_skus WHERE customer_id = @customer_id AND gone_at IS NULL ORDER BY sku_part_number;

-- name: ListCustomerAudit :many
SELECT t.at, t.source, t.actor, t.action, t.outcome, t.detail FROM (
    (SELECT a.at, 'portal'::text AS source, a.actor, a.action, a.outcome, a.detail FROM audit_log a
     WHERE a.customer_id = @customer_id ORDER BY a.at DESC LIMIT 50)
    UNION ALL
    (SELECT r.operation_date, 'pc'::text, r.user_principal_name, r.operation_type || ' ' || r.resource_type,
        r.operation_status, ''::text FROM pc_audit_records r
     WHERE r.customer_id = @customer_id ORDER BY r.operation_date DESC LIMIT 50)
) t ORDER BY t.at DESC LIMIT 50;

-- name: CountCustomersByFilter :one
SELECT
    (SELECT count(*) FROM customers WHERE gone_at IS NULL)::bigint AS all_customers,
    (SELECT count(DISTINCT customer_id) FROM subscriptions WHERE status = 'suspended' AND gone_at IS NULL)::bigint AS suspended,
    (SELECT count(DISTINCT customer_id) FROM subscriptions s WHERE s.gone_at IS NULL AND s.status = 'active'
        AND s.commitment_end_date >= @renew_from::timestamptz AND s.commitment_end_date < @renew_to::timestamptz)::bigint AS renewals,
    (SELECT count(*) FROM customers c WHERE c.gone_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM agreements a WHERE a.customer_id = c.id AND a.gone_at IS NULL))::bigint AS no_agreement,
    -- The last customer of each full page of the unfiltered list, in its
    -- order (lower(company_name), id): page n+1 starts after the n-th.
    coalesce((SELECT array_agg(p.id ORDER BY p.rn) FROM (
        SELECT c.id, row_number() OVER (ORDER BY lower(c.company_name), c.id) AS rn
        FROM customers c WHERE c.gone_at IS NULL) p
        WHERE p.rn % @page_size::int = 0), '{}')::uuid[] AS page_ends;

-- name: InsertOnboarding :execrows
INSERT INTO onboardings (token, create_command_id, company_name, domain, agreement, requested_by)
VALUES (@token, @create_command_id, @company_name, @domain, @agreement, @requested_by)
ON CONFLICT (token) DO NOTHING;

-- name: GetOnboarding :one
SELECT * FROM onboardings WHERE token = @token;

-- name: GetOnboardingByCustomer :one
SELECT o.* FROM onboardings o
WHERE o.customer_id = @customer_id::uuid
   OR o.create_command_id IN (SELECT c.id FROM commands c WHERE c.customer_id = @customer_id::uuid
                              AND c.kind = 'create_customer' AND c.status = 'succeeded')
ORDER BY o.created_at DESC LIMIT 1;

-- name: SwapOnboardingAgreement :execrows
UPDATE onboardings SET customer_id = @customer_id, agreement_command_id = @command_id
WHERE token = @token AND agreement_command_id IS NOT DISTINCT FROM sqlc.narg(old_command_id)::bigint;
