-- wrk script for scripts/bench.sh: POST /api/checkout, paid with
-- pm_card_visa, each request for a different pre-created cart (a cart checks
-- out once), with the Idempotency-Key "bench-<cart ID>".
--
--   wrk -tT ... -s checkout.lua http://127.0.0.1:PORT -- CARTS_FILE T ORDERS_FILE
--
-- CARTS_FILE holds one cart ID a line; each wrk thread takes its own share.
-- T must be wrk's thread count (init runs before later threads exist, so it
-- is passed). When done, the script writes each thread's last order IDs to
-- ORDERS_FILE, one a line, for bench.sh to poll, and prints
--
--   checkout: created=N wrapped=N
--
-- created counts 201s; wrapped counts the requests made after a thread's
-- carts ran out (they replay earlier checkouts, so the run is void unless it
-- is 0).

local RECENT = 16

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local reqs
local n, i = 0, 0
-- globals, read by done() through thread:get
created, wrapped, recent, orders_file = 0, 0, {}, nil

function init(args)
  local all = {}
  local f = assert(io.open(args[1], "r"))
  for l in f:lines() do
    if l ~= "" then table.insert(all, l) end
  end
  f:close()
  local nthreads = tonumber(args[2] or "1")
  orders_file = assert(args[3], "ORDERS_FILE is required")
  reqs = {}
  -- this thread's share: carts id+1, id+1+T, id+1+2T, ... (Lua is 1-based)
  for k = id + 1, #all, nthreads do
    local c = all[k]
    local body = '{"cartId":"' .. c .. '","email":"bench@example.com","paymentMethod":"pm_card_visa",' ..
      '"shippingAddress":{"name":"Bench","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}}'
    table.insert(reqs, wrk.format("POST", "/api/checkout",
      { ["Content-Type"] = "application/json", ["Idempotency-Key"] = "bench-" .. c }, body))
  end
  n = #reqs
  assert(n > 0, "no carts for thread " .. id)
end

function request()
  i = i + 1
  if i > n then wrapped = wrapped + 1 end
  return reqs[(i - 1) % n + 1]
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    local o = string.match(body, '"orderId":"(o[0-9a-z]+)"')
    if o then recent[created % RECENT + 1] = o end
  end
end

function done(summary, latency, requests)
  local total_created, total_wrapped = 0, 0
  -- done runs where init's arguments never arrive: ask a thread for the path
  local f = assert(io.open(threads[1]:get("orders_file"), "w"))
  for _, t in ipairs(threads) do
    total_created = total_created + t:get("created")
    total_wrapped = total_wrapped + t:get("wrapped")
    for _, o in pairs(t:get("recent")) do f:write(o, "\n") end
  end
  f:close()
  io.write(string.format("checkout: created=%d wrapped=%d\n", total_created, total_wrapped))
end
