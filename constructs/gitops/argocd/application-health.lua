-- Health of an argoproj.io/Application as its parent (the root app-of-apps) sees it: the child's
-- own health. Without this, Argo CD treats every child Application as healthy at once, and sync
-- waves between Applications do not wait for anything.
hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
