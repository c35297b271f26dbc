/* 极光代刷网 前端应用（hash 路由，延迟渲染） */
(function () {
  'use strict';
  var app = document.getElementById('app');
  var seq = 0;
  var GOODS = [
    ['王者荣耀点券 60点', '王者', '#f7b733', '#fc4a1a', '5.88'], ['QQ会员 月卡', 'QQ', '#36d1dc', '#5b86e5', '9.90'],
    ['抖音涨粉 1000粉', '抖音', '#232526', '#fe2c55', '11.00'], ['快手双击 1万赞', '快手', '#ff5000', '#ffb347', '7.90'],
    ['QQ空间说说赞 1000个', '说说', '#ffb88c', '#de6262', '2.30'], ['腾讯视频VIP 月卡', 'VIP', '#ff9966', '#ff5e62', '15.00'],
    ['哔哩哔哩大会员 月卡', 'B站', '#00a1d6', '#fb7299', '13.80'], ['网易云黑胶VIP 月卡', '黑胶', '#c31432', '#240b36', '7.60']
  ];

  function esc(t) { return String(t).replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }

  function shell(user, route, body) {
    var nav = [['#/home', '首页'], ['#/home', '业务大厅'], ['#/account', '账户'], ['#/account/orders', '订单']];
    var links = nav.map(function (n) {
      var on = (route === n[0].slice(1) || (n[1] === '账户' && route.indexOf('/account') === 0 && route !== '/account/orders')) ? ' class="on"' : '';
      return '<a href="' + n[0] + '"' + on + '>' + n[1] + '</a>';
    }).join('');
    var who = user ? '<span class="who">' + esc(user) + '</span><a href="/api/danger/logout-all" class="out">退出</a>'
                   : '<a href="/login.html" class="out">登录</a>';
    return '<header class="top"><div class="wrap"><a class="brand" href="#/home"><i></i>极光代刷网<small>JIGUANG</small></a>' +
      '<nav>' + links + '</nav><div class="user">' + who + '</div></div></header>' +
      '<div class="wrap page">' + body + '</div>' +
      '<footer class="foot"><div class="wrap">客服QQ：2766001188　客服电话：400-775-0011　<a href="#/home">提交工单</a>' +
      '<br>© 2021-2025 极光代刷网　闽ICP备2021008899号-3　本站业务仅供娱乐，严禁用于违法用途</div></footer>';
  }

  function home() {
    var cards = GOODS.map(function (g) {
      return '<div class="card"><div class="pic" style="background:linear-gradient(135deg,' + g[2] + ',' + g[3] + ')">' + g[1] + '</div>' +
        '<p>' + g[0] + '</p><div class="row"><b>¥' + g[4] + '</b><button class="btn" data-danger="purchase">立即下单</button></div></div>';
    }).join('');
    return '<div class="notice-bar">【公告】极光代刷网 2.0 上线，说说赞、抖音粉丝 24 小时不间断处理，下单后请耐心等待。</div>' +
      '<div class="promo"><div><h2>开通极光VIP 享批发价</h2><p>¥18/月 · 全站业务 8 折 · 专属加速通道</p></div>' +
      '<button class="btn big" data-danger="purchase">立即开通</button></div><h3 class="h">业务大厅</h3><div class="grid">' + cards + '</div>';
  }

  function accountLayout(active, inner) {
    var tabs = [['#/account', '基本信息'], ['#/account/subscription', '订阅管理'], ['#/account/orders', '我的订单']];
    return '<div class="acc"><aside>' + tabs.map(function (t) {
      return '<a href="' + t[0] + '"' + (t[0] === active ? ' class="on"' : '') + '>' + t[1] + '</a>';
    }).join('') + '</aside><section>' + inner + '</section></div>';
  }

  function account() {
    return accountLayout('#/account', '<h2>基本信息</h2><dl><dt>用户名</dt><dd>demo</dd><dt>绑定手机</dt><dd>139****2046</dd>' +
      '<dt>会员</dt><dd>极光VIP（月付）</dd><dt>余额</dt><dd>¥8.60 <button class="btn small" data-danger="pay">充值</button></dd></dl>' +
      '<div class="danger-zone"><p>注销后账户数据无法恢复</p><button class="btn red" data-danger="delete-account">注销账号</button></div>');
  }

  function subscription() {
    return accountLayout('#/account/subscription', '<h2>订阅管理</h2><div class="sub"><div class="sub-head"><b>极光VIP · 月付</b>' +
      '<span class="badge">生效中</span></div><p>当前周期：2025-11-10 至 2025-12-10</p><p>扣费方式：微信支付（免密）</p>' +
      '<p class="ar">自动续费：开启中</p><div class="ops"><button class="btn orange" data-danger="renew">立即续费</button>' +
      '<button class="btn" data-danger="purchase">升级年付 ¥168</button>' +
      '<button class="btn ghost" id="cancel-subscription" data-danger="cancel-membership">取消订阅</button></div></div>' +
      '<p class="hint">取消订阅后，当前周期结束前仍可使用VIP权益。</p>');
  }

  function orders() {
    var rows = [['JG20251125001', '抖音涨粉 1000粉', '11.00', '处理中'], ['JG20251121017', 'QQ空间说说赞 1000个', '2.30', '已完成'],
                ['JG20251118009', '极光VIP 月付', '18.00', '已完成']];
    return accountLayout('#/account/orders', '<h2>我的订单</h2><table><tr><th>订单号</th><th>业务</th><th>金额</th><th>状态</th><th></th></tr>' +
      rows.map(function (r) {
        return '<tr><td>' + r[0] + '</td><td>' + r[1] + '</td><td>¥' + r[2] + '</td><td>' + r[3] + '</td>' +
          '<td><button class="btn small ghost" data-danger="cancel-order">取消订单</button></td></tr>';
      }).join('') + '</table>');
  }

  var ROUTES = {'/home': home, '/account': account, '/account/subscription': subscription, '/account/orders': orders};

  function render() {
    var route = location.hash.replace(/^#/, '') || '/home';
    var mine = ++seq;
    app.innerHTML = '<div class="loading"><span class="spin"></span>加载中…</div>';
    fetch('/api/whoami', {credentials: 'same-origin'}).then(function (r) {
      return r.json().then(function (j) { return r.ok && j.logged_in ? j.user : null; });
    }).catch(function () { return null; }).then(function (user) {
      setTimeout(function () {
        if (mine !== seq) return;
        var body;
        if (!user) {
          var next = encodeURIComponent('/#' + route);
          body = '<div class="need-login"><h2>请先登录</h2><p>登录后即可查看账户、订阅与订单信息。</p>' +
            '<a class="btn big" href="/login.html?next=' + next + '">去登录</a></div>';
        } else {
          body = (ROUTES[route] || home)();
        }
        app.innerHTML = shell(user, route, body);
        document.title = (user ? '' : '请先登录 - ') + '极光代刷网';
      }, 800);
    });
  }

  document.addEventListener('click', function (e) {
    var el = e.target.closest && e.target.closest('[data-danger]');
    if (!el) return;
    e.preventDefault();
    fetch('/api/danger/' + el.getAttribute('data-danger'), {method: 'POST', credentials: 'same-origin'}).then(function () {
      var t = document.createElement('div');
      t.className = 'toast';
      t.textContent = '操作成功';
      document.body.appendChild(t);
      setTimeout(function () { t.remove(); }, 2000);
    });
  });

  window.addEventListener('hashchange', render);
  render();
})();
