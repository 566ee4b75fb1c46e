-- Mirror of customers and what hangs off them. Upserts set synced_at to the
-- caller's timestamp and clear gone_at; "gone" updates mark rows of a
-- customer that were not refreshed at that timestamp.

-- name: MarkCustomersGoneBefore :many
UPDATE customers SET gone_at = @now
WHERE gone_at IS NULL AND synced_at < @before
RETURNING id;

-- name: MarkCustomerGone :exec
UPDATE customers SET gone_at = @now WHERE id = @id AND gone_at IS NULL;

-- name: CountActiveCustomers :one
SELECT count(*) FROM customers WHERE gone_at IS NULL;

-- name: UpsertSubscription :batchexec
INSERT INTO subscriptions (id, customer_id, parent_subscription_id, order_id, offer_id, offer_name,
    friendly_name, status, quantity, unit_type, term_duration, billing_cycle, billing_type,
    consumption_type, product_type, contract_type, entitlement_id, publisher_name, auto_renew_enabled,
    is_trial, has_purchasable_addons, suspension_reasons, creation_date, effective_start_date,
    commitment_end_date, cancellation_allowed_until, billing_cycle_end_date, etag, raw, synced_at, gone_at)
VALUES (@id, @customer_id, @parent_subscription_id, @order_id, @offer_id, @offer_name,
    @friendly_name, @status, @quantity, @unit_type, @term_duration, @billing_cycle, @billing_type,
    @consumption_type, @product_type, @contract_type, @entitlement_id, @publisher_name, @auto_renew_enabled,
    @is_trial, @has_purchasable_addons, @suspension_reasons, @creation_date, @effective_start_date,
    @commitment_end_date, @cancellation_allowed_until, @billing_cycle_end_date, @etag, @raw, @synced_at, NULL)
ON CONFLICT (id) DO UPDATE SET
    customer_id = excluded.customer_id, parent_subscription_id = excluded.parent_subscription_id,
    order_id = excluded.order_id, offer_id = excluded.offer_id, offer_name = excluded.offer_name,
    friendly_name = excluded.friendly_name, status = excluded.status, quantity = excluded.quantity,
    unit_type = excluded.unit_type, term_duration = excluded.term_duration,
    billing_cycle = excluded.billing_cycle, billing_type = excluded.billing_type,
    consumption_type = excluded.consumption_type, product_type = excluded.product_type,
    contract_type = excluded.contract_type, entitlement_id = excluded.entitlement_id,
    publisher_name = excluded.publisher_name, auto_renew_enabled = excluded.auto_renew_enabled,
    is_trial = excluded.is_trial, has_purchasable_addons = excluded.has_purchasable_addons,
    suspension_reasons = excluded.suspension_reasons, creation_date = excluded.creation_date,
    effective_start_date = excluded.effective_start_date,
    commitment_end_date = excluded.commitment_end_date,
    cancellation_allowed_until = excluded.cancellation_allowed_until,
    billing_cycle_end_date = excluded.billing_cycle_end_date, etag = excluded.etag, raw = excluded.raw,
    synced_at = excluded.synced_at, gone_at = NULL
WHERE NOT (sqlc.arg(respect_pending)::boolean AND EXISTS (
    SELECT 1 FROM commands c
    WHERE c.status IN ('pending', 'delivering') AND c.target_id = subscriptions.id));

-- name: MarkSubscriptionsGone :execrows
UPDATE subscriptions s SET gone_at = @now
WHERE s.customer_id = ANY(@customer_ids::uuid[]) AND s.gone_at IS NULL AND s.synced_at < @before
  AND NOT EXISTS (SELECT 1 FROM commands c
                  WHERE c.status IN ('pending', 'delivering') AND c.target_id = s.id);

-- name: UpsertOrder :batchexec
INSERT INTO orders (id, customer_id, alternate_id, status, billing_cycle, currency_code,
    transaction_type, total_price, creation_date, raw, synced_at, gone_at)
VALUES (@id, @customer_id, @alternate_id, @status, @billing_cycle, @currency_code,
    @transaction_type, @total_price, @creation_date, @raw, @synced_at, NULL)
ON CONFLICT (id) DO UPDATE SET
    customer_id = excluded.customer_id, alternate_id = excluded.alternate_id, status = excluded.status,
    billing_cycle = excluded.billing_cycle, currency_code = excluded.currency_code,
    transaction_type = excluded.transaction_type, total_price = excluded.total_price,
    creation_date = excluded.creation_date, raw = excluded.raw, synced_at = excluded.synced_at,
    gone_at = NULL;

-- name: UpsertOrderLineItem :batchexec
INSERT INTO order_line_items (order_id, line_item_number, offer_id, subscription_id,
    parent_subscription_id, friendly_name, quantity, term_duration, transaction_type,
    partner_id_on_record, unit_price, extended_price, synced_at, gone_at)
VALUES (@order_id, @line_item_number, @offer_id, @subscription_id,
    @parent_subscription_id, @friendly_name, @quantity, @term_duration, @transaction_type,
    @partner_id_on_record, @unit_price, @extended_price, @synced_at, NULL)
ON CONFLICT (order_id, line_item_number) DO UPDATE SET
    offer_id = excluded.offer_id, subscription_id = excluded.subscription_id,
    parent_subscription_id = excluded.parent_subscription_id, friendly_name = excluded.friendly_name,
    quantity = excluded.quantity, term_duration = excluded.term_duration,
    transaction_type = excluded.transaction_type, partner_id_on_record = excluded.partner_id_on_record,
    unit_price = excluded.unit_price, extended_price = excluded.extended_price,
    synced_at = excluded.synced_at, gone_at = NULL;

-- name: MarkOrdersGone :execrows
UPDATE orders SET gone_at = @now
WHERE customer_id = ANY(@customer_ids::uuid[]) AND gone_at IS NULL AND synced_at < @before;

-- name: MarkOrderLinesGone :execrows
-- The order ids are collected first so the line items are found through
-- their primary key: a join let the planner scan every line item once per
-- batch, which made a full import quadratic.
UPDATE order_line_items SET gone_at = @now
WHERE order_id = ANY(ARRAY(SELECT o.id FROM orders o WHERE o.customer_id = ANY(@customer_ids::uuid[])))
  AND order_line_items.gone_at IS NULL AND order_line_items.synced_at < @before;

-- name: UpsertAgreement :batchexec
INSERT INTO agreements (customer_id, agreement_type, template_id, date_agreed, user_id,
    contact_first_name, contact_last_name, contact_email, contact_phone, agreement_link, synced_at, gone_at)
VALUES (@customer_id, @agreement_type, @template_id, @date_agreed, @user_id,
    @contact_first_name, @contact_last_name, @contact_email, @contact_phone, @agreement_link, @synced_at, NULL)
ON CONFLICT (customer_id, agreement_type, template_id, date_agreed) DO UPDATE SET
    user_id = excluded.user_id, contact_first_name = excluded.contact_first_name,
    contact_last_name = excluded.contact_last_name, contact_email = excluded.contact_email,
    contact_phone = excluded.contact_phone, agreement_link = excluded.agreement_link,
    synced_at = excluded.synced_at, gone_at = NULL;

-- name: MarkAgreementsGone :execrows
UPDATE agreements SET gone_at = @now
WHERE customer_id = ANY(@customer_ids::uuid[]) AND gone_at IS NULL AND synced_at < @before;

-- name: MarkSubscribedSkusGone :execrows
UPDATE subscribed_skus SET gone_at = @now
WHERE customer_id = ANY(@customer_ids::uuid[]) AND gone_at IS NULL AND synced_at < @before;

-- name: MarkGoneCustomersChildren :exec
-- Whatever hangs off a customer PC no longer returns is gone with it.
WITH g AS (SELECT id FROM customers WHERE gone_at IS NOT NULL),
     s AS (UPDATE subscriptions SET gone_at = @now WHERE subscriptions.gone_at IS NULL AND subscriptions.customer_id IN (SELECT id FROM g)),
     o AS (UPDATE orders SET gone_at = @now WHERE orders.gone_at IS NULL AND orders.customer_id IN (SELECT id FROM g)),
     a AS (UPDATE agreements SET gone_at = @now WHERE agreements.gone_at IS NULL AND agreements.customer_id IN (SELECT id FROM g))
UPDATE subscribed_skus SET gone_at = @now WHERE subscribed_skus.gone_at IS NULL AND subscribed_skus.customer_id IN (SELECT id FROM g);

-- name: ListMirrorSubscriptions :many
SELECT * FROM subscriptions WHERE customer_id = ANY(@customer_ids::uuid[]) AND gone_at IS NULL ORDER BY id;

-- name: ListMirrorOrders :many
SELECT * FROM orders WHERE customer_id = ANY(@customer_ids::uuid[]) AND gone_at IS NULL ORDER BY id;

-- name: ListMirrorCustomers :many
SELECT * FROM customers WHERE id = ANY(@ids::uuid[]);

-- name: GetMirrorCustomer :one
SELECT * FROM customers WHERE id = @id;

-- name: OpenCommandTargets :many
SELECT DISTINCT target_id FROM commands WHERE status IN ('pending', 'delivering') AND target_id <> '';

-- name: ActiveCustomerIDsAfter :many
SELECT id FROM customers WHERE gone_at IS NULL AND id > @after ORDER BY id;

-- name: InsertPCAuditRecord :batchexec
INSERT INTO pc_audit_records (id, customer_id, customer_name, operation_type, operation_status,
    operation_date, resource_type, user_principal_name, application_id, original_correlation_id,
    customized_data, raw, synced_at)
VALUES (@id, @customer_id, @customer_name, @operation_type, @operation_status,
    @operation_date, @resource_type, @user_principal_name, @application_id, @original_correlation_id,
    @customized_data, @raw, @synced_at)
ON CONFLICT (id) DO NOTHING;

-- name: KnownPCAuditRecordIDs :many
SELECT id FROM pc_audit_records WHERE id = ANY(@ids::text[]);

-- name: CustomersWithPendingWork :many
-- Customers with orders or subscriptions still being provisioned: PC
-- completes them asynchronously, without an audit record.
SELECT customer_id FROM orders WHERE status = 'pending' AND gone_at IS NULL
UNION
SELECT customer_id FROM subscriptions WHERE status = 'pending' AND gone_at IS NULL;

-- name: UpsertCustomerListed :batchexec
-- A customer as PC's list returns it (no billing profile): new customers are
-- inserted, known ones keep their billing columns until the next full read.
INSERT INTO customers (id, tenant_id, commerce_id, domain, company_name, company_email,
    organization_registration_number, relationship, allow_delegated_access, associated_partner_id,
    raw, synced_at, gone_at)
VALUES (@id, @tenant_id, @commerce_id, @domain, @company_name, @company_email,
    @organization_registration_number, @relationship, @allow_delegated_access, @associated_partner_id,
    @raw, @synced_at, NULL)
ON CONFLICT (id) DO UPDATE SET
    tenant_id = excluded.tenant_id, domain = excluded.domain, company_name = excluded.company_name,
    relationship = excluded.relationship, synced_at = excluded.synced_at, gone_at = NULL;
