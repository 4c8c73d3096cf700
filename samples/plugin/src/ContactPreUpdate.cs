using Microsoft.Xrm.Sdk;

namespace Contoso.Plugins
{
    /// <summary>Update of contact, pre-operation: refuses an empty last name.</summary>
    public class ContactPreUpdate : PluginBase
    {
        protected override void ExecutePlugin(IPluginExecutionContext context, ITracingService tracing)
        {
            var contact = Target(context);
            if (contact != null && contact.Contains("lastname") && string.IsNullOrWhiteSpace(contact["lastname"] as string))
                throw new InvalidPluginExecutionException("A contact needs a last name.");
        }
    }
}
