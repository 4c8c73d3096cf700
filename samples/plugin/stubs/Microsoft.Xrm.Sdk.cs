// Stand-in for the part of the Dataverse SDK (Microsoft.Xrm.Sdk) the sample uses, so that the sample builds
// with mono alone. It is NOT the real SDK: DLLs built against it cannot run in Dataverse.
using System;
using System.Collections.Generic;
using System.Reflection;
[assembly: AssemblyVersion("9.0.0.0")]
namespace Microsoft.Xrm.Sdk
{
    public interface IPlugin { void Execute(IServiceProvider serviceProvider); }
    public class ParameterCollection : Dictionary<string, object> { }
    public interface IExecutionContext
    {
        string MessageName { get; }
        string PrimaryEntityName { get; }
        int Depth { get; }
        ParameterCollection InputParameters { get; }
        ParameterCollection OutputParameters { get; }
    }
    public interface IPluginExecutionContext : IExecutionContext { int Stage { get; } }
    public interface ITracingService { void Trace(string format, params object[] args); }
    public class Entity
    {
        public Entity() { Attributes = new Dictionary<string, object>(); }
        public string LogicalName { get; set; }
        public Dictionary<string, object> Attributes { get; private set; }
        public bool Contains(string attributeName) { return Attributes.ContainsKey(attributeName); }
        public object this[string attributeName] { get { return Attributes[attributeName]; } set { Attributes[attributeName] = value; } }
    }
    public class InvalidPluginExecutionException : Exception { public InvalidPluginExecutionException(string message) : base(message) { } }
}
