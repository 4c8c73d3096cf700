// Added in 1.0.1.0.
using Microsoft.Xrm.Sdk;

namespace Contoso.Plugins
{
    /// <summary>Create of contact, post-operation: traces the new contact's id.</summary>
    public class ContactPostCreate : PluginBase
    {
        protected override void ExecutePlugin(IPluginExecutionContext context, ITracingService tracing)
        {
            object id;
            if (context.OutputParameters.TryGetValue("id", out id)) tracing.Trace("contact {0} created", id);
        }
    }
}
