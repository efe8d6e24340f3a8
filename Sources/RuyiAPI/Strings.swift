/// What people read, by stable code: Simplified Chinese by default, English for technicians (`RUYI_LANG=en`).
public enum Strings {
    public enum Language: String, Sendable { case zh, en }

    public static func text(_ code: String, _ language: Language = .zh) -> String {
        guard let entry = catalog[code] else { return code }
        return language == .zh ? entry.zh : entry.en
    }

    static let catalog: [String: (zh: String, en: String)] = [
        "api.not_found": ("没有这个功能（地址不对）", "no such resource"),
        "api.method_not_allowed": ("不能这样操作这个地址", "method not allowed here"),
        "api.malformed_json": ("请求的内容看不懂（不是正确的 JSON）", "the request body is not valid JSON of the expected shape"),
        "api.body_too_large": ("请求的内容太大了", "the request body is too large"),
        "api.internal": ("出了点问题，操作没有完成，已记录。请重试", "something went wrong; nothing was done; it was logged"),
        "auth.sign_in_required": ("请先登录收银员", "a cashier must sign in first"),
        "auth.wrong_pin": ("工号或密码不对", "wrong cashier or PIN"),
        "auth.locked": ("密码错误次数太多，请稍后再试", "too many wrong PINs; try again later"),
        "till.empty_code": ("扫到的是空码，请重扫", "the scan was empty; scan again"),
        "till.misread": ("没扫清楚，请重扫", "misread; scan again"),
        "till.unknown_code": ("商品库里没有这个条码：要输入价格卖吗？", "not in the catalog: sell it at an entered price?"),
        "till.not_for_sale": ("这个商品已停售", "this product is no longer sold"),
        "till.payment_code": ("付款码支付还没有开通，请收现金", "code payments are not available yet; take cash"),
        "till.line_added": ("已加入", "added"),
        "till.no_such_line": ("没有这一行", "no such line"),
        "till.bad_quantity": ("数量不对", "that quantity is not valid"),
        "till.bad_amount": ("金额不对", "that amount is not valid"),
        "till.amount_too_large": ("金额太大了，请检查", "that amount is larger than any tender; check it"),
        "till.not_allowed": ("现在不能这样操作", "not possible in the cart's current state"),
        "till.cart_empty": ("购物车是空的", "the cart is empty"),
        "till.shift_closed": ("还没开班，请先开班", "no shift is open; open one first"),
        "auth.owner_required": ("这个操作需要老板输入密码", "owner actions are locked: the owner must enter their PIN"),
        "auth.not_owner": ("这个账号不是老板，不能解锁老板功能", "that person is not an owner"),
        "till.bad_discount": ("折扣不对：请输入金额（如 2.00）或百分比（如 10）", "not a valid discount: an amount (2.00) or a percent (10)"),
        "till.discount_needs_owner": ("折扣超过收银员的权限，请老板输入密码", "that discount is above the cashier's limit: the owner's PIN is needed"),
        "report.no_such_z": ("没有这一期日结（Z 报表）", "no such Z report"),
        "print.queued": ("已送去打印", "sent to the printer"),
        "setup.already_done": ("已经设置过老板账号了", "the owner account exists already"),
        "setup.bad_pin": ("密码要 4 到 12 位数字", "the PIN must be 4 to 12 digits"),
        "cashier.bad_role": ("身份只能是收银员或老板", "role must be cashier or owner"),
        "catalog.import_running": ("商品表正在导入，请等它完成", "a catalog import is running; wait for it to finish"),
        "catalog.invalid": ("商品表有问题，没有导入", "the catalog file has problems; nothing was imported"),
        "catalog.bad_query": ("请输入要找的商品名、拼音首字母或条码", "type a name, pinyin initials or a barcode"),
        "till.no_such_parked": ("没有这个挂单", "no such parked cart"),
        "sale.not_found": ("没有这笔交易", "no such sale"),
        "sale.reason_required": ("请说明作废原因", "give a reason for the void"),
        "cash.bad_kind": ("只能是存入、取出、上缴或开钱箱", "kind must be pay_in, pay_out, drop or no_sale"),
        "stock.bad_kind": ("只能是进货、盘点或报损", "kind must be receive, count or waste"),
        "stock.unknown_product": ("商品库里没有这个商品", "no such product"),
        "scanner.bad_identity": ("扫码枪编号不对", "not a scanner identity (vvvv:pppp:serial or vvvv:pppp@port)"),
        "scanner.off": ("扫码枪功能没有开启", "scanners are off in this configuration"),
        "scanner.not_present": ("这个设备没有插着", "that device is not plugged in"),
        "scanner.unknown_profile": ("没有这种扫码枪设置", "no such scanner profile"),
        "scanner.already_driven": ("这个扫码枪已经在用了", "that scanner is already driven by its profile"),
        "scanner.cannot_save_assignment": ("设置没有保存成功", "the assignment could not be saved"),
        "sale.nothing_to_return": ("这笔交易已经全部退过了", "everything on that receipt has been refunded already"),
        "cashier.not_yourself": ("不能停用自己的账号", "you cannot deactivate yourself"),
        "till.bad_line": ("请给出商品或条码", "give a product or an unknown barcode"),
        "till.other_code": ("这个码不是商品码", "this code is not a product"),
    ]
}
