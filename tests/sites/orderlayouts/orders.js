// Orders arrive from the API (answered late by the fixture server) and are drawn as cards.
function renderOrders(target) {
  fetch('/api/orders.json').then(function (r) { return r.json(); }).then(function (orders) {
    target.innerHTML = orders.map(function (o) {
      return '<div class="card"><div class="no">' + o.no + '</div><h3>' + o.item + '</h3><div>' +
        '<span class="price">¥' + o.amount + '</span> · ' + o.date + ' · ' + o.status + '</div></div>';
    }).join('');
  });
}
