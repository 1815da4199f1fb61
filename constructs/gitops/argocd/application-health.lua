-- Health of an argoproj.io/Application as its parent (the root app-of-apps) sees it. Without this,
-- Argo CD treats every child Application as healthy at once, and sync waves between Applications
-- do not wait for anything. The child's own health is not enough either: while its sync runs, the
-- resources of its later waves are not applied yet and the child can report Healthy for a moment,
-- which lets the parent start the next wave early (seen in the Argo CD sync test). So a child is
-- Healthy to its parent only when no sync of it is requested or running, an automatically synced
-- child is Synced, and its own health is Healthy. The root application lists itself: to itself
-- (its tracking id names it) it is its own health, or its running sync would wait for its own end.
hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status == nil or obj.status.health == nil then
  hs.message = "waiting for the first health assessment"
  return hs
end
-- (Argo CD's Lua has no string library: the whole id is compared.)
local tracking = obj.metadata.annotations ~= nil and obj.metadata.annotations["argocd.argoproj.io/tracking-id"] or nil
if tracking == obj.metadata.name .. ":argoproj.io/Application:" .. obj.metadata.namespace .. "/" .. obj.metadata.name then
  hs.status = obj.status.health.status
  hs.message = obj.status.health.message or ""
  return hs
end
if obj.operation ~= nil then
  hs.message = "waiting for the requested sync to start"
  return hs
end
local op = obj.status.operationState
if op ~= nil and (op.phase == "Running" or op.phase == "Terminating") then
  hs.message = "sync running: " .. (op.message or "")
  return hs
end
local automated = obj.spec ~= nil and obj.spec.syncPolicy ~= nil and obj.spec.syncPolicy.automated ~= nil and obj.spec.syncPolicy.automated.enabled ~= false
if automated and (obj.status.sync == nil or obj.status.sync.status ~= "Synced") then
  hs.message = "waiting for the automated sync"
  return hs
end
hs.status = obj.status.health.status
if obj.status.health.message ~= nil then
  hs.message = obj.status.health.message
end
return hs
