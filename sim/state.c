/* state.c - the simulated account, the same for every venue: symbols and
 * their market lot rules (OKX: contracts and the contract value), mark
 * prices, one-way positions, hedge-mode legs (LONG and SHORT of a symbol
 * at once), the position mode and the orders accepted.
 * Every access holds one mutex. Orders live in a ring of
 * sim_config.max_orders entries (the oldest is dropped) so memory stays
 * bounded however long the simulator runs. Amounts are exact (dg_dec_t). */
#include "sim.h"

#include "driftguard/grow.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_MAX_SYMBOLS 10000
#define SIM_LEVERAGE 20
#define SIM_MAX_SPLIT 100 /* parts of one split order, at most */

typedef struct {
  char name[32];
  dg_dec_t step, min_qty, max_qty, ct_val;
  dg_dec_t mark, initial_mark;
  dg_dec_t amt, entry;
  /* Hedge mode: LONG (>= 0) and SHORT (<= 0) legs, kept apart from the
   * one-way amount; amt is their sum while they are set. */
  dg_dec_t legs[2], leg_entry[2];
  int configured;   /* from the command line: survives /sim/reset */
  int listed;       /* in exchangeInfo: configured or ever had a position */
  int had_position; /* non-zero at some point since the last reset */
  int hedge;        /* Bybit: this symbol in hedge mode */
  int64_t update_time;
} symbol_t;

typedef struct {
  sim_order_t o;
  json_object *params;
} order_slot_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static symbol_t *symbols;
static size_t nsymbols, symbols_cap;
static order_slot_t *orders; /* ring of sim_config.max_orders */
static size_t orders_head, norders;
static int64_t next_order_id;
static int dual_side;
static int account_level = 2; /* OKX acctLv: 2 Futures mode */

static const dg_dec_t default_step = {100000};               /* 0.001 */
static const dg_dec_t default_max = {INT64_C(100000000000)}; /* 1000 */
static const dg_dec_t default_mark = {INT64_C(10000000000)}; /* 100 */
static const dg_dec_t one = {DG_DEC_SCALE};

/* ---- exact helpers
 * ------------------------------------------------------------ */
/* a*b truncated toward zero; saturates instead of overflowing. */
dg_dec_t sim_dec_mul(dg_dec_t a, dg_dec_t b) {
  __int128 p = (__int128)a.units * b.units / DG_DEC_SCALE;
  if (p > INT64_MAX)
    p = INT64_MAX;
  if (p < -INT64_MAX)
    p = -INT64_MAX;
  return (dg_dec_t){(int64_t)p};
}

dg_dec_t sim_dec_abs(dg_dec_t a) {
  return (dg_dec_t){a.units < 0 ? -a.units : a.units};
}

/* Fractional digits of d's canonical text. */
static int dec_decimals(dg_dec_t d) {
  int64_t u = d.units < 0 ? -d.units : d.units;
  int n = DG_DEC_SCALE_DIGITS;
  while (n > 0 && u % 10 == 0) {
    u /= 10;
    n--;
  }
  return n;
}

void sim_json_add_dec(json_object *o, const char *key, dg_dec_t d) {
  char buf[DG_DEC_STRLEN];
  dg_dec_format(d, buf, sizeof(buf));
  json_object_object_add(o, key, json_object_new_string(buf));
}

/* ---- symbols
 * ---------------------------------------------------------------------- */
int sim_symbol_valid(const char *name) {
  const char *tail = sim_config.venue->symbol_tail;
  size_t len = name ? strlen(name) : 0, tail_len = strlen(tail);
  if (len < tail_len + 2 || len > tail_len + 20 ||
      strcmp(name + len - tail_len, tail) != 0)
    return 0;
  for (size_t i = 0; i < len - tail_len; i++)
    if (!((name[i] >= 'A' && name[i] <= 'Z') ||
          (name[i] >= '0' && name[i] <= '9')))
      return 0;
  return 1;
}

/* Lock held. */
static symbol_t *find_symbol(const char *name) {
  for (size_t i = 0; i < nsymbols; i++)
    if (strcmp(symbols[i].name, name) == 0)
      return &symbols[i];
  return NULL;
}

/* Lock held. Any valid name gets a symbol with the default filters. */
static symbol_t *get_symbol(const char *name) {
  symbol_t *s = find_symbol(name);
  if (s != NULL || !sim_symbol_valid(name) || nsymbols >= SIM_MAX_SYMBOLS)
    return s;
  if (dg_grow(&symbols, &symbols_cap, nsymbols, sizeof(*symbols), 16) != 0)
    return NULL;
  s = &symbols[nsymbols++];
  memset(s, 0, sizeof(*s));
  snprintf(s->name, sizeof(s->name), "%s", name);
  s->step = default_step;
  s->min_qty = default_step;
  s->max_qty = default_max;
  s->ct_val = one;
  s->mark = s->initial_mark = default_mark;
  return s;
}

int sim_state_config_symbol(const char *name, dg_dec_t step, dg_dec_t min_qty,
                            dg_dec_t max_qty, dg_dec_t ct_val) {
  int rc = -1;
  pthread_mutex_lock(&lock);
  symbol_t *s = get_symbol(name);
  if (s != NULL) {
    s->step = step;
    s->min_qty = min_qty;
    s->max_qty = max_qty;
    s->ct_val = ct_val;
    s->configured = s->listed = 1;
    rc = 0;
  }
  pthread_mutex_unlock(&lock);
  return rc;
}

int sim_state_set_mark(const char *name, dg_dec_t mark) {
  int rc = -1;
  pthread_mutex_lock(&lock);
  symbol_t *s = get_symbol(name);
  if (s != NULL && mark.units > 0) {
    s->mark = s->initial_mark = mark;
    s->configured = s->listed = 1;
    rc = 0;
  }
  pthread_mutex_unlock(&lock);
  return rc;
}

/* ---- lifecycle
 * ------------------------------------------------------------------------ */
int sim_state_init(void) {
  orders = calloc(sim_config.max_orders, sizeof(*orders));
  next_order_id = sim_now_ms(); /* increasing across restarts too */
  return orders ? 0 : -1;
}

static void clear_orders(void) {
  for (size_t i = 0; i < norders; i++)
    json_object_put(orders[(orders_head + i) % sim_config.max_orders].params);
  orders_head = norders = 0;
}

void sim_state_reset(void) {
  size_t kept = 0;
  pthread_mutex_lock(&lock);
  clear_orders();
  for (size_t i = 0; i < nsymbols; i++) {
    symbol_t *s = &symbols[i];
    if (!s->configured)
      continue;
    s->amt = s->entry = DG_DEC_ZERO;
    s->legs[0] = s->legs[1] = s->leg_entry[0] = s->leg_entry[1] = DG_DEC_ZERO;
    s->mark = s->initial_mark;
    s->update_time = 0;
    s->had_position = 0;
    s->hedge = 0;
    symbols[kept++] = *s;
  }
  nsymbols = kept;
  dual_side = 0;
  account_level = 2;
  pthread_mutex_unlock(&lock);
}

void sim_state_free(void) {
  pthread_mutex_lock(&lock);
  clear_orders();
  free(orders);
  orders = NULL;
  free(symbols);
  symbols = NULL;
  nsymbols = symbols_cap = 0;
  pthread_mutex_unlock(&lock);
}

int sim_state_dual(void) {
  pthread_mutex_lock(&lock);
  int d = dual_side;
  pthread_mutex_unlock(&lock);
  return d;
}

int sim_state_account_level(void) {
  pthread_mutex_lock(&lock);
  int lv = account_level;
  pthread_mutex_unlock(&lock);
  return lv;
}

void sim_state_set_account_level(int level) {
  pthread_mutex_lock(&lock);
  account_level = level;
  pthread_mutex_unlock(&lock);
}

/* Lock held: a symbol's position across a mode switch (the venues refuse
 * one while a position is open; the simulator carries it over): into the
 * leg of its sign, or back into one one-way amount. */
static void carry_mode(symbol_t *s, int was_hedged, int hedged) {
  if (was_hedged == hedged)
    return;
  if (hedged) {
    s->legs[0] = s->amt.units > 0 ? s->amt : DG_DEC_ZERO;
    s->legs[1] = s->amt.units < 0 ? s->amt : DG_DEC_ZERO;
    s->leg_entry[0] = s->amt.units > 0 ? s->entry : DG_DEC_ZERO;
    s->leg_entry[1] = s->amt.units < 0 ? s->entry : DG_DEC_ZERO;
  } else {
    s->legs[0] = s->legs[1] = s->leg_entry[0] = s->leg_entry[1] = DG_DEC_ZERO;
  }
}

int sim_state_set_symbol_hedge(const char *symbol, int hedge) {
  int rc = -1;
  pthread_mutex_lock(&lock);
  symbol_t *s = get_symbol(symbol);
  if (s != NULL) {
    carry_mode(s, s->hedge || dual_side, hedge || dual_side);
    s->hedge = hedge;
    s->listed = 1;
    rc = 0;
  }
  pthread_mutex_unlock(&lock);
  return rc;
}

void sim_state_set_dual(int dual) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nsymbols; i++)
    carry_mode(&symbols[i], symbols[i].hedge || dual_side,
               symbols[i].hedge || dual);
  dual_side = dual;
  pthread_mutex_unlock(&lock);
}

static void view_of(const symbol_t *s, sim_symbol_view_t *v) {
  memcpy(v->name, s->name, sizeof(v->name));
  v->step = s->step;
  v->min_qty = s->min_qty;
  v->max_qty = s->max_qty;
  v->ct_val = s->ct_val;
  v->mark = s->mark;
  v->amt = s->amt;
  v->entry = s->entry;
  memcpy(v->legs, s->legs, sizeof(v->legs));
  memcpy(v->leg_entry, s->leg_entry, sizeof(v->leg_entry));
  v->had_position = s->had_position;
  v->hedge = s->hedge || dual_side;
  v->update_time = s->update_time;
}

static int view_cmp(const void *a, const void *b) {
  return strcmp(((const sim_symbol_view_t *)a)->name,
                ((const sim_symbol_view_t *)b)->name);
}

sim_symbol_view_t *sim_state_symbols(size_t *n) {
  sim_symbol_view_t *v;
  *n = 0;
  pthread_mutex_lock(&lock);
  v = nsymbols ? malloc(nsymbols * sizeof(*v)) : NULL;
  for (size_t i = 0; v != NULL && i < nsymbols; i++)
    if (symbols[i].listed)
      view_of(&symbols[i], &v[(*n)++]);
  pthread_mutex_unlock(&lock);
  if (v != NULL)
    qsort(v, *n, sizeof(*v), view_cmp);
  return v;
}

int sim_state_symbol(const char *name, sim_symbol_view_t *out) {
  int rc = -1;
  pthread_mutex_lock(&lock);
  symbol_t *s = get_symbol(name);
  if (s != NULL) {
    view_of(s, out);
    rc = 0;
  }
  pthread_mutex_unlock(&lock);
  return rc;
}

/* ---- market data
 * --------------------------------------------------------------------- */
static json_object *lot_filter(const char *type, const symbol_t *s) {
  json_object *f = json_object_new_object();
  json_object_object_add(f, "filterType", json_object_new_string(type));
  sim_json_add_dec(f, "stepSize", s->step);
  sim_json_add_dec(f, "maxQty", s->max_qty);
  sim_json_add_dec(f, "minQty", s->min_qty);
  return f;
}

static json_object *string_array(const char *const *items) {
  json_object *a = json_object_new_array();
  for (; *items; items++)
    json_object_array_add(a, json_object_new_string(*items));
  return a;
}

static json_object *symbol_info(const symbol_t *s) {
  static const char *const order_types[] = {"LIMIT",
                                            "MARKET",
                                            "STOP",
                                            "STOP_MARKET",
                                            "TAKE_PROFIT",
                                            "TAKE_PROFIT_MARKET",
                                            "TRAILING_STOP_MARKET",
                                            NULL};
  static const char *const tifs[] = {"GTC", "IOC", "FOK", "GTX", "GTD", NULL};
  char base[32];
  json_object *o = json_object_new_object(), *filters;

  snprintf(base, sizeof(base), "%.*s", (int)(strlen(s->name) - 4), s->name);
  json_object_object_add(o, "symbol", json_object_new_string(s->name));
  json_object_object_add(o, "pair", json_object_new_string(s->name));
  json_object_object_add(o, "contractType",
                         json_object_new_string("PERPETUAL"));
  json_object_object_add(o, "status", json_object_new_string("TRADING"));
  json_object_object_add(o, "baseAsset", json_object_new_string(base));
  json_object_object_add(o, "quoteAsset", json_object_new_string("USDT"));
  json_object_object_add(o, "marginAsset", json_object_new_string("USDT"));
  json_object_object_add(o, "pricePrecision", json_object_new_int(2));
  json_object_object_add(o, "quantityPrecision",
                         json_object_new_int(dec_decimals(s->step)));
  json_object_object_add(o, "baseAssetPrecision", json_object_new_int(8));
  json_object_object_add(o, "quotePrecision", json_object_new_int(8));
  json_object_object_add(o, "underlyingType", json_object_new_string("COIN"));
  filters = json_object_new_array();
  json_object *price = json_object_new_object();
  json_object_object_add(price, "filterType",
                         json_object_new_string("PRICE_FILTER"));
  json_object_object_add(price, "minPrice", json_object_new_string("0.01"));
  json_object_object_add(price, "maxPrice", json_object_new_string("4529764"));
  json_object_object_add(price, "tickSize", json_object_new_string("0.01"));
  json_object_array_add(filters, price);
  json_object_array_add(filters, lot_filter("LOT_SIZE", s));
  json_object_array_add(filters, lot_filter("MARKET_LOT_SIZE", s));
  json_object *notional = json_object_new_object();
  json_object_object_add(notional, "filterType",
                         json_object_new_string("MIN_NOTIONAL"));
  json_object_object_add(notional, "notional", json_object_new_string("5"));
  json_object_array_add(filters, notional);
  json_object_object_add(o, "filters", filters);
  json_object_object_add(o, "orderTypes", string_array(order_types));
  json_object_object_add(o, "timeInForce", string_array(tifs));
  return o;
}

json_object *sim_state_exchange_info(void) {
  json_object *o = json_object_new_object(), *syms = json_object_new_array();
  json_object *limits = json_object_new_array(), *w = json_object_new_object();

  json_object_object_add(o, "timezone", json_object_new_string("UTC"));
  json_object_object_add(o, "serverTime", json_object_new_int64(sim_now_ms()));
  json_object_object_add(o, "futuresType",
                         json_object_new_string("U_MARGINED"));
  json_object_object_add(w, "rateLimitType",
                         json_object_new_string("REQUEST_WEIGHT"));
  json_object_object_add(w, "interval", json_object_new_string("MINUTE"));
  json_object_object_add(w, "intervalNum", json_object_new_int(1));
  json_object_object_add(w, "limit",
                         json_object_new_int(sim_config.weight_limit));
  json_object_array_add(limits, w);
  json_object_object_add(o, "rateLimits", limits);
  json_object_object_add(o, "exchangeFilters", json_object_new_array());
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nsymbols; i++)
    if (symbols[i].listed)
      json_object_array_add(syms, symbol_info(&symbols[i]));
  pthread_mutex_unlock(&lock);
  json_object_object_add(o, "symbols", syms);
  return o;
}

/* One positionRisk entry (v3 or v2 shape): the one-way position (leg
 * -1), or in hedge mode leg 0 (LONG) or 1 (SHORT). Lock held. */
static json_object *position_json(const symbol_t *s, int v2, int leg) {
  static const char *const sides[] = {"LONG", "SHORT"};
  json_object *o = json_object_new_object();
  dg_dec_t amt = leg < 0 ? s->amt : s->legs[leg];
  dg_dec_t entry = leg < 0 ? s->entry : s->leg_entry[leg];
  dg_dec_t pnl, notional = sim_dec_mul(s->mark, amt), margin;
  const char *side = leg < 0 ? "BOTH" : sides[leg];

  dg_dec_sub(s->mark, entry, &pnl);
  pnl = amt.units ? sim_dec_mul(pnl, amt) : DG_DEC_ZERO;
  margin = (dg_dec_t){sim_dec_abs(notional).units / SIM_LEVERAGE};
  json_object_object_add(o, "symbol", json_object_new_string(s->name));
  json_object_object_add(o, "positionSide", json_object_new_string(side));
  sim_json_add_dec(o, "positionAmt", amt);
  sim_json_add_dec(o, "entryPrice", entry);
  sim_json_add_dec(o, "breakEvenPrice", entry);
  sim_json_add_dec(o, "markPrice", s->mark);
  sim_json_add_dec(o, "unRealizedProfit", pnl);
  json_object_object_add(o, "liquidationPrice", json_object_new_string("0"));
  json_object_object_add(o, "isolatedMargin", json_object_new_string("0"));
  sim_json_add_dec(o, "notional", notional);
  json_object_object_add(o, "isolatedWallet", json_object_new_string("0"));
  if (v2) {
    json_object_object_add(o, "marginType", json_object_new_string("cross"));
    json_object_object_add(o, "isAutoAddMargin",
                           json_object_new_string("false"));
    json_object_object_add(o, "leverage", json_object_new_string("20"));
    json_object_object_add(o, "maxNotionalValue",
                           json_object_new_string("20000000"));
  } else {
    json_object_object_add(o, "marginAsset", json_object_new_string("USDT"));
    sim_json_add_dec(o, "initialMargin", margin);
    sim_json_add_dec(
        o, "maintMargin",
        sim_dec_mul(sim_dec_abs(notional), (dg_dec_t){400000})); /* 0.4% */
    sim_json_add_dec(o, "positionInitialMargin", margin);
    json_object_object_add(o, "openOrderInitialMargin",
                           json_object_new_string("0"));
    json_object_object_add(o, "adl", json_object_new_int(amt.units ? 1 : 0));
    json_object_object_add(o, "bidNotional", json_object_new_string("0"));
    json_object_object_add(o, "askNotional", json_object_new_string("0"));
  }
  json_object_object_add(o, "updateTime",
                         json_object_new_int64(s->update_time));
  return o;
}

/* Binance's rows: v3 only symbols with a position (in hedge mode its
 * open legs, both when asked for the symbol), v2 every listed symbol (in
 * hedge mode both legs). */
json_object *sim_state_position_risk(const char *symbol, int v2) {
  json_object *arr;
  if (symbol != NULL && !sim_symbol_valid(symbol))
    return NULL;
  arr = json_object_new_array();
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nsymbols; i++) {
    const symbol_t *s = &symbols[i];
    if (symbol != NULL ? strcmp(s->name, symbol) != 0
                       : !(v2 ? s->listed
                              : s->amt.units != 0 || s->legs[0].units != 0 ||
                                    s->legs[1].units != 0))
      continue;
    if (dual_side) {
      for (int leg = 0; leg < 2; leg++)
        if (v2 || symbol != NULL || s->legs[leg].units != 0)
          json_object_array_add(arr, position_json(s, v2, leg));
      continue;
    }
    if (!v2 && s->amt.units == 0)
      continue;
    json_object_array_add(arr, position_json(s, v2, -1));
  }
  pthread_mutex_unlock(&lock);
  return arr;
}

/* ---- orders
 * ---------------------------------------------------------------------------
 */
/* The market lot checks, in Binance's order (zero, precision, min, max,
 * step); split: no maximum (a reduce-only order Bybit splits). */
static enum sim_refusal check_quantity(const symbol_t *s, dg_dec_t qty,
                                       int split) {
  dg_dec_t over;
  if (qty.units <= 0)
    return SIM_REFUSE_QTY_ZERO;
  if (dec_decimals(qty) > dec_decimals(s->step))
    return SIM_REFUSE_QTY_PRECISION;
  if (dg_dec_cmp(qty, s->min_qty) < 0)
    return SIM_REFUSE_QTY_MIN;
  if (!split && dg_dec_cmp(qty, s->max_qty) > 0)
    return SIM_REFUSE_QTY_MAX;
  dg_dec_sub(qty, s->min_qty, &over);
  if (over.units % s->step.units != 0)
    return SIM_REFUSE_QTY_STEP;
  return SIM_ACCEPTED;
}

/* Move a position (*amt, *entry: the one-way one or a leg) by delta at
 * the mark; entry is the size-weighted average while it grows, unchanged
 * while it shrinks, the mark after a flip. Lock held. */
static void fill_at(symbol_t *s, dg_dec_t *amt, dg_dec_t *entry,
                    dg_dec_t delta) {
  dg_dec_t before = *amt;
  dg_dec_add(*amt, delta, amt);
  if (amt->units == 0) {
    *entry = DG_DEC_ZERO;
  } else if (before.units == 0 || (before.units > 0) != (amt->units > 0)) {
    *entry = s->mark;
  } else if ((delta.units > 0) == (before.units > 0)) {
    __int128 num = (__int128)entry->units * sim_dec_abs(before).units +
                   (__int128)s->mark.units * sim_dec_abs(delta).units;
    entry->units = (int64_t)(num / sim_dec_abs(*amt).units);
  }
  s->listed = 1;
  s->had_position = 1;
}

/* Lock held: amt follows the legs (their sum) in hedge mode. */
static void legs_to_amt(symbol_t *s) {
  dg_dec_add(s->legs[0], s->legs[1], &s->amt);
  s->entry = s->amt.units ? s->mark : DG_DEC_ZERO;
}

/* Lock held: the order's fill, on its leg in hedge mode. */
static void fill(symbol_t *s, const sim_order_req_t *req, dg_dec_t delta) {
  if (req->leg == 0) {
    fill_at(s, &s->amt, &s->entry, delta);
    return;
  }
  int k = req->leg > 0 ? 0 : 1;
  fill_at(s, &s->legs[k], &s->leg_entry[k], delta);
  legs_to_amt(s);
}

/* Lock held: store a copy, dropping the oldest when the ring is full. */
static void store_order(const sim_order_t *o, json_object *params) {
  size_t cap = sim_config.max_orders;
  order_slot_t *slot;
  if (norders == cap) {
    json_object_put(orders[orders_head].params);
    orders_head = (orders_head + 1) % cap;
    norders--;
  }
  slot = &orders[(orders_head + norders) % cap];
  slot->o = *o;
  slot->params = params;
  norders++;
}

/* Lock held: 1 when a kept order has this client id. */
static int client_id_taken(const char *client_id) {
  for (size_t i = 0; i < norders; i++)
    if (strcmp(orders[(orders_head + i) % sim_config.max_orders].o.client_id,
               client_id) == 0)
      return 1;
  return 0;
}

/* Lock held: a hedge-mode order on a leg. A close must find its leg open
 * and no smaller than the order (refused, never trimmed into the other
 * leg); an opening order must not be reduce-only. */
static enum sim_refusal check_leg(const symbol_t *s, sim_order_req_t *req) {
  int closes = (req->leg > 0) != (req->buy != 0);
  dg_dec_t leg = s->legs[req->leg > 0 ? 0 : 1];
  if (!closes)
    return req->reduce_only ? SIM_REFUSE_REDUCE_SIDE : SIM_ACCEPTED;
  req->reduce_only = 1;
  if (leg.units == 0)
    return SIM_REFUSE_REDUCE_FLAT;
  return dg_dec_cmp(req->qty, sim_dec_abs(leg)) > 0 ? SIM_REFUSE_REDUCE_SIZE
                                                    : SIM_ACCEPTED;
}

/* Lock held: why a reduce-only order cannot be filled on s (it never
 * flips a position), SIM_ACCEPTED when it can. */
static enum sim_refusal check_reduce(const symbol_t *s,
                                     const sim_order_req_t *req) {
  if (s->amt.units == 0)
    return SIM_REFUSE_REDUCE_FLAT;
  if ((s->amt.units > 0) == (req->buy != 0))
    return SIM_REFUSE_REDUCE_SIDE;
  if (dg_dec_cmp(req->qty, sim_dec_abs(s->amt)) > 0)
    return SIM_REFUSE_REDUCE_SIZE;
  return SIM_ACCEPTED;
}

/* Lock held: record one filled order of qty (a part when split). */
static void record_order(const symbol_t *s, const sim_order_req_t *req,
                         const char *client_id, dg_dec_t qty,
                         json_object *params, sim_order_t *out) {
  memset(out, 0, sizeof(*out));
  out->order_id = next_order_id++;
  out->time = out->update_time = s->update_time;
  snprintf(out->symbol, sizeof(out->symbol), "%s", s->name);
  if (client_id != NULL)
    snprintf(out->client_id, sizeof(out->client_id), "%s", client_id);
  else
    snprintf(out->client_id, sizeof(out->client_id), "sim_%lld",
             (long long)out->order_id);
  snprintf(out->side, sizeof(out->side), "%s", req->side);
  snprintf(out->type, sizeof(out->type), "%s", req->type);
  snprintf(out->position_side, sizeof(out->position_side), "%s",
           req->position_side ? req->position_side : "BOTH");
  snprintf(out->margin_mode, sizeof(out->margin_mode), "%s",
           req->margin_mode ? req->margin_mode : "");
  snprintf(out->status, sizeof(out->status), "FILLED");
  snprintf(out->resp_type, sizeof(out->resp_type), "%s",
           req->resp_type ? req->resp_type : "ACK");
  out->reduce_only = req->reduce_only;
  out->qty = out->executed = qty;
  out->avg_price = s->mark;
  store_order(out, params);
}

enum sim_refusal sim_state_place_order(sim_order_req_t *req, sim_order_t *out) {
  enum sim_refusal why;
  dg_dec_t delta = req->qty, rest = req->qty;
  int split = req->split_above_max && req->reduce_only;
  sim_order_t part;

  pthread_mutex_lock(&lock);
  symbol_t *s = get_symbol(req->symbol);
  if (s == NULL) {
    why = SIM_REFUSE_SYMBOL;
    goto done;
  }
  if ((why = check_quantity(s, req->qty, split)) != SIM_ACCEPTED)
    goto done;
  if (split &&
      dg_dec_cmp(req->qty,
                 sim_dec_mul(s->max_qty,
                             (dg_dec_t){SIM_MAX_SPLIT * DG_DEC_SCALE})) > 0) {
    why = SIM_REFUSE_QTY_MAX; /* bounded work per request */
    goto done;
  }
  if (req->leg != 0
          ? (why = check_leg(s, req)) != SIM_ACCEPTED
          : req->reduce_only && (why = check_reduce(s, req)) != SIM_ACCEPTED)
    goto done;
  if (req->unique_client_id && req->client_id != NULL &&
      req->client_id[0] != '\0' && client_id_taken(req->client_id)) {
    why = SIM_REFUSE_CLIENT_ID_DUP;
    goto done;
  }
  if (!req->buy)
    dg_dec_neg(req->qty, &delta);
  fill(s, req, delta);
  s->update_time = sim_now_ms();
  /* Above the maximum, Bybit places several orders; which orderLinkId
   * the later parts carry is not documented: here none. */
  for (int first = 1; rest.units > 0; first = 0) {
    dg_dec_t qty = dg_dec_cmp(rest, s->max_qty) > 0 ? s->max_qty : rest;
    json_object *params = NULL;
    if (first)
      params = req->params;
    else if (json_object_deep_copy(req->params, &params, NULL) != 0)
      params = NULL;
    record_order(s, req, first ? req->client_id : "", qty, params,
                 first ? out : &part);
    dg_dec_sub(rest, qty, &rest);
  }
  req->params = NULL;
done:
  pthread_mutex_unlock(&lock);
  return why;
}

int sim_state_find_order(const char *symbol, int64_t order_id,
                         const char *client_id, sim_order_t *out) {
  int rc = -1;
  pthread_mutex_lock(&lock);
  for (size_t i = norders; i-- > 0 && rc != 0;) {
    const sim_order_t *o = &orders[(orders_head + i) % sim_config.max_orders].o;
    if ((symbol == NULL || strcmp(o->symbol, symbol) == 0) &&
        (order_id > 0 ? o->order_id == order_id
                      : strcmp(o->client_id, client_id) == 0)) {
      *out = *o;
      rc = 0;
    }
  }
  pthread_mutex_unlock(&lock);
  return rc;
}

json_object *sim_order_json(const sim_order_t *o, int query, int ack) {
  json_object *j = json_object_new_object();
  int filled = !ack;
  dg_dec_t zero = DG_DEC_ZERO;

  sim_json_add_dec(j, "avgPrice", filled ? o->avg_price : zero);
  json_object_object_add(j, "clientOrderId",
                         json_object_new_string(o->client_id));
  sim_json_add_dec(j, "cumQuote",
                   filled ? sim_dec_mul(o->avg_price, o->executed) : zero);
  if (!query)
    sim_json_add_dec(j, "cumQty", filled ? o->executed : zero);
  sim_json_add_dec(j, "executedQty", filled ? o->executed : zero);
  json_object_object_add(j, "orderId", json_object_new_int64(o->order_id));
  sim_json_add_dec(j, "origQty", o->qty);
  json_object_object_add(j, "origType", json_object_new_string(o->type));
  json_object_object_add(j, "price", json_object_new_string("0"));
  json_object_object_add(j, "reduceOnly",
                         json_object_new_boolean(o->reduce_only));
  json_object_object_add(j, "side", json_object_new_string(o->side));
  json_object_object_add(j, "positionSide",
                         json_object_new_string(o->position_side));
  json_object_object_add(j, "status",
                         json_object_new_string(filled ? o->status : "NEW"));
  json_object_object_add(j, "stopPrice", json_object_new_string("0"));
  json_object_object_add(j, "closePosition", json_object_new_boolean(0));
  json_object_object_add(j, "symbol", json_object_new_string(o->symbol));
  if (query)
    json_object_object_add(j, "time", json_object_new_int64(o->time));
  json_object_object_add(j, "timeInForce", json_object_new_string("GTC"));
  json_object_object_add(j, "type", json_object_new_string(o->type));
  json_object_object_add(j, "updateTime",
                         json_object_new_int64(o->update_time));
  json_object_object_add(j, "workingType",
                         json_object_new_string("CONTRACT_PRICE"));
  json_object_object_add(j, "priceProtect", json_object_new_boolean(0));
  json_object_object_add(j, "priceMatch", json_object_new_string("NONE"));
  json_object_object_add(j, "selfTradePreventionMode",
                         json_object_new_string("EXPIRE_MAKER"));
  json_object_object_add(j, "goodTillDate", json_object_new_int64(0));
  return j;
}

/* ---- control API
 * --------------------------------------------------------------------- */
/* {"LONG":"decimal","SHORT":"decimal"} (either may be absent: 0), LONG
 * >= 0, SHORT <= 0, into legs; -1 with a reason otherwise. */
static int parse_legs(const char *symbol, json_object *val, dg_dec_t legs[2],
                      char *err, size_t errlen) {
  static const char *const names[] = {"LONG", "SHORT"};
  legs[0] = legs[1] = DG_DEC_ZERO;
  json_object_object_foreach(val, k, v) {
    int leg = strcmp(k, names[0]) == 0 ? 0 : strcmp(k, names[1]) == 0 ? 1 : -1;
    if (leg < 0 || !json_object_is_type(v, json_type_string) ||
        dg_dec_parse(json_object_get_string(v), &legs[leg]) != 0 ||
        legs[leg].units * (leg == 0 ? 1 : -1) < 0) {
      snprintf(err, errlen,
               "%s: legs are {\"LONG\":\">= 0\",\"SHORT\":\"<= 0\"}", symbol);
      return -1;
    }
  }
  return 0;
}

/* Apply {"SYMBOL":"decimal",...}: validate everything first, then set.
 * Positions may give a symbol's hedge-mode legs instead:
 * {"SYMBOL":{"LONG":"0.5","SHORT":"-0.3"}}. */
static int apply_decimals(json_object *obj, int marks, char *err,
                          size_t errlen) {
  dg_dec_t v, legs[2];
  if (!json_object_is_type(obj, json_type_object)) {
    snprintf(err, errlen, "expected a JSON object {\"SYMBOL\":\"decimal\"}");
    return -1;
  }
  json_object_object_foreach(obj, key, val) {
    if (!sim_symbol_valid(key)) {
      snprintf(err, errlen, "invalid symbol '%s'", key);
      return -1;
    }
    if (!marks && json_object_is_type(val, json_type_object)) {
      if (parse_legs(key, val, legs, err, errlen) != 0)
        return -1;
      continue;
    }
    if (!(json_object_is_type(val, json_type_string) ||
          json_object_is_type(val, json_type_int)) ||
        dg_dec_parse(json_object_get_string(val), &v) != 0 ||
        (marks && v.units <= 0)) {
      snprintf(err, errlen, "%s: '%s' is not a %sdecimal string", key,
               json_object_get_string(val), marks ? "positive " : "");
      return -1;
    }
  }
  pthread_mutex_lock(&lock);
  json_object_object_foreach(obj, k, value) {
    symbol_t *s = get_symbol(k);
    if (s == NULL)
      continue; /* table full: the symbol stays unknown */
    if (json_object_is_type(value, json_type_object)) {
      parse_legs(k, value, s->legs, err, errlen);
    } else {
      dg_dec_parse(json_object_get_string(value), &v);
      if (marks) {
        s->mark = v;
        continue;
      }
      /* A signed amount on a hedge-mode symbol is the leg of its sign. */
      s->legs[0] = v.units > 0 ? v : DG_DEC_ZERO;
      s->legs[1] = v.units < 0 ? v : DG_DEC_ZERO;
    }
    for (int leg = 0; leg < 2; leg++)
      s->leg_entry[leg] = s->legs[leg].units ? s->mark : DG_DEC_ZERO;
    if (json_object_is_type(value, json_type_object) || s->hedge || dual_side) {
      legs_to_amt(s);
    } else {
      s->amt = v;
      s->entry = v.units ? s->mark : DG_DEC_ZERO;
      s->legs[0] = s->legs[1] = DG_DEC_ZERO;
    }
    s->listed = 1;
    s->update_time = sim_now_ms();
  }
  pthread_mutex_unlock(&lock);
  return 0;
}

int sim_state_set_positions(json_object *obj, char *err, size_t errlen) {
  return apply_decimals(obj, 0, err, errlen);
}

int sim_state_set_marks(json_object *obj, char *err, size_t errlen) {
  return apply_decimals(obj, 1, err, errlen);
}

json_object *sim_state_positions_json(void) {
  json_object *o = json_object_new_object();
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nsymbols; i++)
    if (symbols[i].amt.units != 0)
      sim_json_add_dec(o, symbols[i].name, symbols[i].amt);
  pthread_mutex_unlock(&lock);
  return o;
}

json_object *sim_state_legs_json(void) {
  json_object *o = json_object_new_object();
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nsymbols; i++) {
    const symbol_t *s = &symbols[i];
    if (s->legs[0].units == 0 && s->legs[1].units == 0)
      continue;
    json_object *legs = json_object_new_object();
    sim_json_add_dec(legs, "LONG", s->legs[0]);
    sim_json_add_dec(legs, "SHORT", s->legs[1]);
    json_object_object_add(o, s->name, legs);
  }
  pthread_mutex_unlock(&lock);
  return o;
}

json_object *sim_state_orders_json(void) {
  json_object *arr = json_object_new_array();
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < norders; i++) {
    const order_slot_t *slot =
        &orders[(orders_head + i) % sim_config.max_orders];
    json_object *j = sim_order_json(&slot->o, 1, 0);
    sim_json_add_dec(j, "quantity", slot->o.qty);
    json_object_object_add(j, "newOrderRespType",
                           json_object_new_string(slot->o.resp_type));
    json_object *params = NULL;
    /* A copy: json-c reference counts are not thread-safe, and the reply
     * is serialised and freed after the lock is released. */
    if (json_object_deep_copy(slot->params, &params, NULL) != 0)
      params = json_object_new_object();
    json_object_object_add(j, "params", params);
    json_object_array_add(arr, j);
  }
  pthread_mutex_unlock(&lock);
  return arr;
}
