-- +goose Up

-- money_text renders an amount the way the pages do (i18n.Money in
-- English: "$1,234.50", "CHF 1,234.50", "¥1,235", "−€3.00"), for the
-- sentences SQL writes itself, such as the attention list's reasons.
-- store's TestMoneyTextMatchesPages keeps the two in step.
-- +goose StatementBegin
CREATE FUNCTION money_text(amount numeric, currency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN r < 0 THEN '−' ELSE '' END
    || CASE c
        WHEN '' THEN ''
        WHEN 'USD' THEN '$' WHEN 'EUR' THEN '€' WHEN 'GBP' THEN '£' WHEN 'AUD' THEN 'A$' WHEN 'BRL' THEN 'R$'
        WHEN 'CAD' THEN 'CA$' WHEN 'CNY' THEN 'CN¥' WHEN 'HKD' THEN 'HK$' WHEN 'INR' THEN '₹' WHEN 'JPY' THEN '¥'
        WHEN 'KRW' THEN '₩' WHEN 'MXN' THEN 'MX$' WHEN 'NZD' THEN 'NZ$' WHEN 'TWD' THEN 'NT$' WHEN 'ILS' THEN '₪'
        ELSE c || ' ' END
    || CASE WHEN scale = 0 THEN to_char(abs(r), 'FM999,999,999,999,990')
            ELSE to_char(abs(r), 'FM999,999,999,999,990.00') END
FROM (SELECT upper(coalesce(currency, '')) AS c) cur,
     LATERAL (SELECT CASE WHEN cur.c IN ('JPY', 'KRW') THEN 0 ELSE 2 END AS scale) s,
     LATERAL (SELECT round(amount, s.scale) AS r) a
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION money_text(numeric, text);
