-- wrk script for scripts/bench.sh: POST /api/carts/{id}/items with
-- {"sku":...,"quantity":1} over pre-created carts.
--
--   wrk -tT ... -s cart.lua http://127.0.0.1:PORT -- CARTS_FILE SKUS_FILE LIST_EVERY T [PRODUCTS_FILE]
--
-- CARTS_FILE holds one cart ID a line, SKUS_FILE one SKU a line (each with at
-- least 99 units available). Each wrk thread takes its own share of the carts.
-- Request i of a thread goes to cart i mod n of its share; each cart cycles
-- through its own window of LINES consecutive SKUs, one unit at a time, so a
-- cart holds at most LINES lines and a line reaches 99 units only after
-- n * LINES * 99 requests from the thread. With LIST_EVERY = k > 0, every k-th
-- request is GET /api/products?limit=20 instead (the mixed load). With
-- PRODUCTS_FILE (one product ID a line), the requests take turns: a listing,
-- a product page (GET /api/products/{id} over the IDs), an add-to-cart; the
-- mix scripts/bench/openloop sends, so that this run's req/s is its
-- closed-loop maximum. T must be wrk's thread count (init runs before later
-- threads exist, so it is passed).

local LINES = 20

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local function lines(path)
  local out = {}
  local f = assert(io.open(path, "r"))
  for l in f:lines() do
    if l ~= "" then table.insert(out, l) end
  end
  f:close()
  return out
end

local carts, skus, bodies, paths, products
local n, i, adds, list_every = 0, 0, 0, 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  local all = lines(args[1])
  skus = lines(args[2])
  list_every = tonumber(args[3] or "0")
  local nthreads = tonumber(args[4] or "1")
  -- this thread's share: carts id+1, id+1+T, id+1+2T, ... (Lua is 1-based)
  carts = {}
  for k = id + 1, #all, nthreads do table.insert(carts, all[k]) end
  n = #carts
  assert(n > 0, "no carts for thread " .. id)
  assert(#skus >= LINES, "need at least " .. LINES .. " SKUs")
  paths, bodies = {}, {}
  for k, c in ipairs(carts) do paths[k] = "/api/carts/" .. c .. "/items" end
  for k, s in ipairs(skus) do bodies[k] = '{"sku":"' .. s .. '","quantity":1}' end
  if args[5] then
    products = {}
    for k, p in ipairs(lines(args[5])) do products[k] = "/api/products/" .. p end
    assert(#products > 0, "no products in " .. args[5])
  end
end

function request()
  i = i + 1
  if products then
    if i % 3 == 0 then return wrk.format("GET", "/api/products?limit=20") end
    if i % 3 == 1 then return wrk.format("GET", products[math.floor(i / 3) % #products + 1]) end
  elseif list_every > 0 and i % list_every == 0 then
    return wrk.format("GET", "/api/products?limit=20")
  end
  adds = adds + 1
  local c = adds % n           -- 0-based cart index in this thread's share
  local round = math.floor(adds / n)
  local s = (c + round % LINES) % #skus
  return wrk.format("POST", paths[c + 1], headers, bodies[s + 1])
end
