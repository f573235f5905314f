// What people at a counter read: element names and failure reasons in Chinese, then English.

const ELEMENTS = {
  holder_name: "名称/姓名 Name",
  holder_code: "统一社会信用代码/身份号码 Holder code",
  holder_code_type: "代码类型 Code type",
  license_name: "证照名称 Licence",
  license_number: "证照号码 Number",
  license_identifier: "证照标识 Identifier",
  license_type_code: "证照类型代码 Type code",
  issuer_name: "发证机关 Issuer",
  issuer_code: "发证机关代码 Issuer code",
  issue_date: "发证日期 Issued",
  valid_from: "有效期起 Valid from",
  valid_until: "有效期至 Valid until",
  name: "名称/姓名 Name",
  unified_social_credit_code: "统一社会信用代码 USCC",
  entity_type: "类型 Entity type",
  legal_representative: "法定代表人 Legal representative",
  registered_capital: "注册资本 Registered capital",
  date_of_establishment: "成立日期 Established",
  business_term: "营业期限 Business term",
  domicile: "住所 Domicile",
  business_scope: "经营范围 Business scope",
  registration_authority: "登记机关 Registration authority",
  sex: "性别 Sex",
  nationality: "国籍 Nationality",
  address: "住址 Address",
  date_of_birth: "出生日期 Date of birth",
  date_of_first_issue: "初次领证日期 First issued",
  vehicle_class: "准驾车型 Vehicle class",
  file_number: "档案编号 File number",
};

const ERRORS = {
  "license.expired": ["证照已过期", "The licence has expired"],
  "license.not_yet_valid": ["证照尚未生效", "The licence is not valid yet"],
  "license.revoked": ["证照已被吊销", "The licence has been revoked"],
  "license.suspended": ["证照已被暂停", "The licence is suspended"],
  "license.status_unknown": ["无法确认证照状态", "The licence status cannot be established"],
  "license.signature_invalid": ["发证签名无效，证照可能被篡改", "The issuer's signature is invalid: the code may be altered"],
  "license.digest_mismatch": ["内容与签名不符，可能被篡改", "The content does not match the signature: altered"],
  "license.tree_invalid": ["内容与签名不符，可能被篡改", "The content does not match the signature: altered"],
  "license.issuer_key_unknown": ["不认识该发证机关的密钥", "The issuer's key is not known here"],
  "trust.untrusted_root": ["发证机关不在信任名单中", "The issuer is not trusted here"],
  "present.holder_signature_invalid": ["持证人签名无效", "The holder's signature is invalid"],
  "present.expired": ["二维码已过期，请持证人刷新后再出示", "The code is too old: ask the holder to refresh it"],
  "present.future": ["二维码时间不对，请检查手机时间", "The code is dated in the future: check the phone's clock"],
  "present.replayed": ["此二维码已核验过，请持证人刷新", "This code was already used: ask for a fresh one"],
  "present.request_bound": ["此二维码是出示给其他窗口的", "This code answers another counter's request"],
  "present.delegation_expired": ["经办人授权已过期", "The agent's authorisation has expired"],
  "present.qr_image": ["画面中没有可读的二维码", "No readable code in the picture"],
  "present.qr_prefix": ["这不是电子证照二维码", "This is not a licence code"],
  "serve.unreachable": ["无法连接核验服务", "The verification service cannot be reached"],
};

/** The label of an element id, Chinese first; the id itself when unknown. */
export function elementLabel(id) {
  return ELEMENTS[id] || id;
}

/** [Chinese, English] for an error code. */
export function errorText(code) {
  if (ERRORS[code]) return ERRORS[code];
  if (code && code.startsWith("present.qr_")) return ["二维码不完整或无法读取", "The code is incomplete or unreadable"];
  if (code && code.startsWith("trust.")) return ["发证机关证书无效或不受信任", "The issuer's certificate is invalid or not trusted"];
  return ["核验未通过", "The check failed"];
}
