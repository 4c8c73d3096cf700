using Microsoft.Xrm.Sdk;

namespace Contoso.Plugins
{
    /// <summary>Create of account, pre-operation: gives new accounts a default account number prefix.</summary>
    public class AccountPreCreate : PluginBase
    {
        protected override void ExecutePlugin(IPluginExecutionContext context, ITracingService tracing)
        {
            var account = Target(context);
            if (account == null || account.LogicalName != "account") return;
            if (!account.Contains("accountnumber")) account["accountnumber"] = "C-" + System.DateTime.UtcNow.ToString("yyyyMMddHHmmss");
        }
    }
}
