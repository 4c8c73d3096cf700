using System.Activities;

namespace Contoso.Plugins.Activities
{
    /// <summary>Workflow activity: 5% off from 1,000, 10% off from 10,000.</summary>
    public sealed class CalculateDiscount : CodeActivity
    {
        public InArgument<decimal> Amount { get; set; }
        public OutArgument<decimal> Discount { get; set; }

        protected override void Execute(CodeActivityContext context)
        {
            var amount = context.GetValue(Amount);
            var rate = amount >= 10000m ? 0.10m : amount >= 1000m ? 0.05m : 0m;
            context.SetValue(Discount, decimal.Round(amount * rate, 2));
        }
    }
}
