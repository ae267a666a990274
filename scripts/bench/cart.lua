-- wrk script for scripts/bench.sh: POST /api/carts/{id}/items with
-- {"sku":...,"quantity":1} over pre-created carts.
--
--   wrk -tT ... -s cart.lua http://127.0.0.1:PORT -- CARTS_FILE SKUS_FILE LIST_EVERY T
--
-- CARTS_FILE holds one cart ID a line, SKUS_FILE one SKU a line (each with at
-- least 99 units available). Each wrk thread takes its own share of the carts.
-- Request i of a thread goes to cart i mod n of its share; each cart cycles
-- through its own window of LINES consecutive SKUs, one unit at a time, so a
-- cart holds at most LINES lines and a line reaches 99 units only after
-- n * LINES * 99 requests from the thread. With LIST_EVERY = k > 0, every k-th
-- request is GET /api/products?limit=20 instead (the mixed load). T must be
-- wrk's thread count (init runs before later threads exist, so it is passed).

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

local carts, skus, bodies, paths
local n, i, list_every = 0, 0, 0
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
end

function request()
  i = i + 1
  if list_every > 0 and i % list_every == 0 then
    return wrk.format("GET", "/api/products?limit=20")
  end
  local c = i % n              -- 0-based cart index in this thread's share
  local round = math.floor(i / n)
  local s = (c + round % LINES) % #skus
  return wrk.format("POST", paths[c + 1], headers, bodies[s + 1])
end
