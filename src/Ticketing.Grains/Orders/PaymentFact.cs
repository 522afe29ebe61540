namespace Ticketing.Grains.Orders;

/// <summary>What a payment fact other than a success calls for: the action to save it under, the alert to raise, whether the order may have settled.</summary>
public sealed record PaymentFact(string SaveAs, OrderAlert Alert = OrderAlert.None, bool MaySettle = false);

/// <summary>An alert an order raises for operators to look at.</summary>
public enum OrderAlert
{
    None,

    /// <summary>The buyer's bank disputes the payment.</summary>
    DisputeOpened,

    /// <summary>The dispute is lost: the money is gone and the tickets are voided.</summary>
    DisputeLost,
}

/// <summary>What a payment event naming an order that does not exist calls for.</summary>
public enum PaymentWithoutOrder
{
    /// <summary>Another deployment's payment on the same Stripe account: not ours to refund.</summary>
    NotOurs,

    /// <summary>Money taken for an order never stored: it goes back, with an alert.</summary>
    RefundIt,

    /// <summary>The payment of an order Place could not store, cancelled by Place itself: expected.</summary>
    NeverPlaced,

    /// <summary>Anything else: worth a warning, nothing to do.</summary>
    Unknown,
}
