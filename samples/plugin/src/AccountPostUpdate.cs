using Microsoft.Xrm.Sdk;

namespace Contoso.Plugins
{
    /// <summary>Update of account, post-operation: traces credit limit changes.</summary>
    public class AccountPostUpdate : PluginBase
    {
        protected override void ExecutePlugin(IPluginExecutionContext context, ITracingService tracing)
        {
            var account = Target(context);
            if (account != null && account.Contains("creditlimit")) tracing.Trace("credit limit changed to {0}", account["creditlimit"]);
        }
    }
}
