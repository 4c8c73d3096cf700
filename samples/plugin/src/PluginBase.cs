using System;
using Microsoft.Xrm.Sdk;

namespace Contoso.Plugins
{
    /// <summary>Gets the context and tracing service once; plug-ins implement ExecutePlugin.</summary>
    public abstract class PluginBase : IPlugin
    {
        public void Execute(IServiceProvider serviceProvider)
        {
            if (serviceProvider == null) throw new ArgumentNullException("serviceProvider");
            var context = (IPluginExecutionContext)serviceProvider.GetService(typeof(IPluginExecutionContext));
            var tracing = (ITracingService)serviceProvider.GetService(typeof(ITracingService));
            tracing.Trace("{0}: {1} of {2}, depth {3}", GetType().Name, context.MessageName, context.PrimaryEntityName, context.Depth);
            ExecutePlugin(context, tracing);
        }

        protected abstract void ExecutePlugin(IPluginExecutionContext context, ITracingService tracing);

        protected static Entity Target(IPluginExecutionContext context)
        {
            object target;
            return context.InputParameters.TryGetValue("Target", out target) ? target as Entity : null;
        }
    }
}
