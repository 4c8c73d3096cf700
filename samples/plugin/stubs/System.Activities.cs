// Stand-in for the part of Windows Workflow Foundation (System.Activities) the sample uses. NOT the real one.
using System.Reflection;
[assembly: AssemblyVersion("4.0.0.0")]
namespace System.Activities
{
    public abstract class Activity { }
    public sealed class CodeActivityContext
    {
        public T GetValue<T>(InArgument<T> argument) { return argument.Value; }
        public void SetValue<T>(OutArgument<T> argument, T value) { argument.Value = value; }
    }
    public abstract class CodeActivity : Activity { protected abstract void Execute(CodeActivityContext context); }
    public sealed class InArgument<T> { public T Value; }
    public sealed class OutArgument<T> { public T Value; }
}
