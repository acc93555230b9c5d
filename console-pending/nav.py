import sys
p = sys.argv[1] + '/Layout/NavMenu.razor'
s = open(p, encoding='utf-8').read()
anchor = '''data-testid="nav-tenant">@L["Nav.TenantHome"]</MudNavLink>\n'''
assert anchor in s
group = '''        <MudNavGroup Title="@L["Nav.ConfigCenter"]" Expanded="true" Icon="@Icons.Material.Filled.Settings">
            <MudNavLink Href="/tenant/agents" Icon="@Icons.Material.Filled.SupportAgent" data-testid="nav-agents">@L["Nav.Agents"]</MudNavLink>
            <MudNavLink Href="/tenant/skill-queues" Icon="@Icons.Material.Filled.CallSplit" data-testid="nav-skill-queues">@L["Nav.SkillQueues"]</MudNavLink>
            <MudNavLink Href="/tenant/called-routes" Icon="@Icons.Material.Filled.AltRoute" data-testid="nav-called-routes">@L["Nav.CalledRoutes"]</MudNavLink>
            <MudNavLink Href="/tenant/agent-info" Icon="@Icons.Material.Filled.PhoneCallback" data-testid="nav-agent-info">@L["Nav.AgentInfo"]</MudNavLink>
        </MudNavGroup>
'''
if 'nav-agents' not in s:
    s = s.replace(anchor, anchor + group)
open(p, 'w', encoding='utf-8').write(s)
